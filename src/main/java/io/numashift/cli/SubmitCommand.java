package io.numashift.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code numashift submit}: one target (hosts and their pids, cpuset or Slurm job), the mapping, and the
 * options the API takes; only what is given is sent, so that the service's defaults apply to the
 * rest. A submit from inside a batch job is keyed by that job's id and the request, so that a
 * script the scheduler runs again gets the job of its first run instead of a second migration.
 */
@Command(
        name = "submit",
        description = "Submits a migration job; prints its id, or with --wait follows it and exits with its code.")
final class SubmitCommand extends Verb {
    @Option(names = "--hosts", required = true, split = ",", paramLabel = "HOST", description = "the hosts")
    List<String> hosts;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Processes processes;

    static final class Processes {
        @Option(names = "--pids", split = ",", paramLabel = "PID", description = "these processes on every host")
        @Nullable
        List<Integer> pids;

        @Option(names = "--cpuset", paramLabel = "PATH", description = "every process of this cpuset on each host")
        @Nullable
        String cpuset;

        @Option(
                names = "--slurm-job",
                paramLabel = "JOBID",
                description = "the processes of this Slurm job on each host (scontrol listpids there)")
        @Nullable
        String slurmJob;
    }

    @Option(names = "--from", required = true, split = ",", paramLabel = "NODE", description = "old nodes: 0,1")
    List<Integer> from;

    @Option(names = "--to", required = true, split = ",", paramLabel = "NODE", description = "new nodes: 2,3")
    List<Integer> to;

    @Option(
            names = "--range",
            paramLabel = "START-END",
            description = "only this address range: 0x7f00000000-0x7f80000000")
    @Nullable
    String range;

    @Option(names = "--count", paramLabel = "N", description = "how many of the old nodes' pages to move")
    @Nullable
    Long count;

    @Option(names = "--name", paramLabel = "TEXT", description = "a name people recognise")
    @Nullable
    String name;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "a label; repeatable")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--move-shared", description = "also move pages other processes map")
    @Nullable
    Boolean moveShared;

    @Option(names = "--shared-once", negatable = true, description = "move a shared object's pages once (default)")
    @Nullable
    Boolean sharedOnce;

    @Option(names = "--suspend", description = "stop each process while its pages move")
    @Nullable
    Boolean suspend;

    @Option(names = "--migrate-cpus", description = "also move the processes to CPUs of the new nodes")
    @Nullable
    Boolean migrateCpus;

    @Option(names = "--new-cpuset", paramLabel = "PATH", description = "move the processes into this cpuset")
    @Nullable
    String newCpuset;

    @Option(
            names = "--on-failure",
            paramLabel = "KEEP|ROLLBACK",
            description = "what happens to moved pages on failure")
    @Nullable
    String onFailure;

    @Option(names = "--verify", paramLabel = "PLACEMENT|CONTENT|NONE", description = "what the result proves")
    @Nullable
    String verify;

    @Option(names = "--max-mib-per-second", paramLabel = "MIB", description = "cap the rate on each host")
    @Nullable
    Long maxMiBPerSecond;

    @Option(names = "--dry-run", description = "plan and estimate, move nothing")
    @Nullable
    Boolean dryRun;

    @Option(
            names = "--idempotency-key",
            paramLabel = "KEY",
            description = "a second submit with this key returns the first job. Default inside a batch job:"
                    + " its id ($SLURM_JOB_ID, $PBS_JOBID) and the request")
    @Nullable
    String idempotencyKey;

    @Mixin
    FollowOptions follow;

    @Override
    public Integer call() {
        String body = Api.JSON.writeValueAsString(request());
        Api api = api();
        Map<String, String> headers = new LinkedHashMap<>();
        String key = idempotencyKey != null ? idempotencyKey : schedulerKey(cli.env(), body);
        if (key != null) {
            headers.put("Idempotency-Key", key);
        }
        return answer(api, api.post("api/v1/jobs", body, headers), follow);
    }

    ObjectNode request() {
        ObjectNode request = Api.JSON.createObjectNode();
        if (name != null) {
            request.put("name", name);
        }
        if (!labels.isEmpty()) {
            ObjectNode l = request.putObject("labels");
            labels.forEach(l::put);
        }
        ObjectNode target = request.putArray("targets").addObject();
        ArrayNode h = target.putArray("hosts");
        hosts.forEach(h::add);
        if (processes.pids != null) {
            ArrayNode p = target.putArray("pids");
            processes.pids.forEach(p::add);
        } else if (processes.cpuset != null) {
            target.put("cpuset", processes.cpuset);
        } else {
            target.put("slurmJob", processes.slurmJob);
        }
        if (range != null) {
            int dash = range.indexOf('-');
            if (dash <= 0 || dash == range.length() - 1) {
                throw new CliException(
                        ExitCodes.USAGE, "--range is START-END, for example 0x7f0000000000-0x7f0000100000");
            }
            request.putObject("range")
                    .put("start", range.substring(0, dash).strip())
                    .put("end", range.substring(dash + 1).strip());
        }
        ArrayNode old = request.putArray("oldNodes");
        from.forEach(old::add);
        ArrayNode fresh = request.putArray("newNodes");
        to.forEach(fresh::add);
        if (count != null) {
            request.put("count", count);
        }
        ObjectNode options = Api.JSON.createObjectNode();
        putIfSet(options, "moveShared", moveShared);
        putIfSet(options, "sharedOnce", sharedOnce);
        putIfSet(options, "suspend", suspend);
        putIfSet(options, "migrateCpus", migrateCpus);
        if (newCpuset != null) {
            options.put("newCpuset", newCpuset);
        }
        if (onFailure != null) {
            options.put("onFailure", onFailure.toUpperCase(java.util.Locale.ROOT));
        }
        if (verify != null) {
            options.put("verify", verify.toUpperCase(java.util.Locale.ROOT));
        }
        if (maxMiBPerSecond != null) {
            options.put("maxMiBPerSecond", maxMiBPerSecond);
        }
        putIfSet(options, "dryRun", dryRun);
        if (!options.isEmpty()) {
            request.set("options", options);
        }
        return request;
    }

    private static void putIfSet(ObjectNode options, String field, @Nullable Boolean value) {
        if (value != null) {
            options.put(field, value);
        }
    }

    /**
     * The key of a submit from inside a batch job: the scheduler's job id and a digest of the
     * request, so that running the same script again submits nothing new while a second, other
     * request of the same job is a job of its own; null outside a batch job.
     */
    static @Nullable String schedulerKey(Map<String, String> env, String body) {
        String scheduler;
        String id;
        if (env.get("SLURM_JOB_ID") != null) {
            scheduler = "slurm";
            id = env.get("SLURM_JOB_ID");
        } else if (env.get("PBS_JOBID") != null) {
            scheduler = "pbs";
            id = env.get("PBS_JOBID");
        } else {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return scheduler + "-" + id.strip() + "-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
