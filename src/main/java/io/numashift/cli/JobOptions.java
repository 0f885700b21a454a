package io.numashift.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every verb that submits a job takes besides its targets: a name, labels, the options of a
 * job (all but {@code newCpuset}, which only a migration has) and the idempotency key. Only what is
 * given is sent, so that the service's defaults apply to the rest.
 */
final class JobOptions {
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

    /** Puts the name and the labels, when given, into a request. */
    void putNameAndLabels(ObjectNode request) {
        if (name != null) {
            request.put("name", name);
        }
        if (!labels.isEmpty()) {
            ObjectNode l = request.putObject("labels");
            labels.forEach(l::put);
        }
    }

    /** The options given, into an object (empty when none is). */
    ObjectNode options() {
        ObjectNode options = Api.JSON.createObjectNode();
        putIfSet(options, "moveShared", moveShared);
        putIfSet(options, "sharedOnce", sharedOnce);
        putIfSet(options, "suspend", suspend);
        putIfSet(options, "migrateCpus", migrateCpus);
        if (onFailure != null) {
            options.put("onFailure", onFailure.toUpperCase(Locale.ROOT));
        }
        if (verify != null) {
            options.put("verify", verify.toUpperCase(Locale.ROOT));
        }
        if (maxMiBPerSecond != null) {
            options.put("maxMiBPerSecond", maxMiBPerSecond);
        }
        putIfSet(options, "dryRun", dryRun);
        return options;
    }

    /** The headers of the submit of this body: its idempotency key, given or from the batch job. */
    Map<String, String> headers(Map<String, String> env, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        String key = idempotencyKey != null ? idempotencyKey : schedulerKey(env, body);
        if (key != null) {
            headers.put("Idempotency-Key", key);
        }
        return headers;
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
