package io.numashift.cli;

import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code numashift submit}: one target (hosts and their pids, cpuset or Slurm job), the mapping, and the
 * options the API takes ({@link JobOptions}); only what is given is sent, so that the service's
 * defaults apply to the rest. A submit from inside a batch job is keyed by that job's id and the
 * request, so that a script the scheduler runs again gets the job of its first run instead of a
 * second migration.
 */
@Command(
        name = "submit",
        description = "Submits a migration job; prints its id, or with --wait follows it and exits with its code.")
final class SubmitCommand extends Verb {
    @Option(names = "--hosts", required = true, split = ",", paramLabel = "HOST", description = "the hosts")
    List<String> hosts;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Processes processes;

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

    @Option(names = "--new-cpuset", paramLabel = "PATH", description = "move the processes into this cpuset")
    @Nullable
    String newCpuset;

    @Mixin
    JobOptions job;

    @Mixin
    FollowOptions follow;

    @Override
    public Integer call() {
        return submit("api/v1/jobs", request(), job, follow);
    }

    ObjectNode request() {
        ObjectNode request = Api.JSON.createObjectNode();
        job.putNameAndLabels(request);
        ObjectNode target = request.putArray("targets").addObject();
        ArrayNode h = target.putArray("hosts");
        hosts.forEach(h::add);
        processes.putInto(target);
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
        ObjectNode options = job.options();
        if (newCpuset != null) {
            options.put("newCpuset", newCpuset);
        }
        if (!options.isEmpty()) {
            request.set("options", options);
        }
        return request;
    }
}
