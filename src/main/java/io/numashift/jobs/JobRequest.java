package io.numashift.jobs;

import io.numashift.core.AddressRange;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A job as submitted, normalised: every option filled in, targets as given.
 *
 * @param name a name for people
 * @param labels key-value labels (batch schedulers put their job ids here)
 * @param targets hosts with the processes to migrate there
 * @param range the address range, or null for the whole address space
 * @param oldNodes the nodes pages move from
 * @param newNodes the nodes pages move to, entry by entry
 * @param count the length of the node lists, when given
 * @param options the options of every migration
 */
public record JobRequest(
        @Nullable String name,
        Map<String, String> labels,
        List<Target> targets,
        @Nullable AddressRange range,
        List<Integer> oldNodes,
        List<Integer> newNodes,
        @Nullable Integer count,
        MigrationOptions options) {

    public JobRequest {
        labels = new TreeMap<>(labels);
        targets = List.copyOf(targets);
        oldNodes = List.copyOf(oldNodes);
        newNodes = List.copyOf(newNodes);
    }

    /**
     * Hosts with one of: pids, a cpuset, a Slurm job.
     *
     * @param hosts the host names
     * @param pids the processes, or null when a cpuset or a Slurm job is named
     * @param cpuset every process in this cpuset on each host, resolved when the task starts
     * @param slurmJob the processes of this Slurm job on each host, resolved when the task starts
     */
    public record Target(
            List<String> hosts,
            @Nullable List<Integer> pids,
            @Nullable String cpuset,
            @Nullable String slurmJob) {
        public Target {
            hosts = List.copyOf(hosts);
            pids = pids == null ? null : List.copyOf(pids);
        }

        /** A target of pids or a cpuset. */
        public Target(List<String> hosts, @Nullable List<Integer> pids, @Nullable String cpuset) {
            this(hosts, pids, cpuset, null);
        }
    }

    /** What every host does to each process: the mapping, the range and the options. */
    public MigrationPlan plan() {
        return new MigrationPlan(oldNodes, newNodes, count, range, options);
    }

    /** What each host is asked to migrate, merging every target that names it. */
    public Map<String, TaskTargets> targetsByHost() {
        Map<String, TreeSet<Integer>> pids = new LinkedHashMap<>();
        Map<String, TreeSet<String>> cpusets = new LinkedHashMap<>();
        Map<String, TreeSet<String>> slurmJobs = new LinkedHashMap<>();
        for (Target target : targets) {
            for (String host : target.hosts()) {
                pids.computeIfAbsent(host, h -> new TreeSet<>());
                cpusets.computeIfAbsent(host, h -> new TreeSet<>());
                slurmJobs.computeIfAbsent(host, h -> new TreeSet<>());
                if (target.pids() != null) {
                    pids.get(host).addAll(target.pids());
                }
                if (target.cpuset() != null) {
                    cpusets.get(host).add(target.cpuset());
                }
                if (target.slurmJob() != null) {
                    slurmJobs.get(host).add(target.slurmJob());
                }
            }
        }
        Map<String, TaskTargets> result = new TreeMap<>();
        pids.forEach((host, set) -> result.put(
                host,
                new TaskTargets(List.copyOf(set), List.copyOf(cpusets.get(host)), List.copyOf(slurmJobs.get(host)))));
        return result;
    }
}
