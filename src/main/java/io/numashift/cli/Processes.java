package io.numashift.cli;

import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The processes of a target: {@code --pids}, {@code --cpuset} or {@code --slurm-job}, one of them. */
final class Processes {
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

    /** Puts the one given into a target. */
    void putInto(ObjectNode target) {
        if (pids != null) {
            ArrayNode p = target.putArray("pids");
            pids.forEach(p::add);
        } else if (cpuset != null) {
            target.put("cpuset", cpuset);
        } else {
            target.put("slurmJob", slurmJob);
        }
    }
}
