package io.numashift.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.numashift.core.AddressRange;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationPlan;
import io.numashift.core.backend.MemoryState;
import io.numashift.protocol.Evacuate;
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
 * @param evacuate for an evacuation (docs/evacuation.md), the nodes it empties on every host (they
 *     are also its {@code oldNodes}, and it has no {@code newNodes}: the hosts choose); absent for a
 *     migration, and from what is stored or hashed then, so that a migration's request reads and
 *     hashes as before evacuations existed
 */
public record JobRequest(
        @Nullable String name,
        Map<String, String> labels,
        List<Target> targets,
        @Nullable AddressRange range,
        List<Integer> oldNodes,
        List<Integer> newNodes,
        @Nullable Integer count,
        MigrationOptions options,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Evacuate evacuate) {

    public JobRequest {
        labels = new TreeMap<>(labels);
        targets = List.copyOf(targets);
        oldNodes = List.copyOf(oldNodes);
        newNodes = List.copyOf(newNodes);
    }

    /** A migration. */
    public JobRequest(
            @Nullable String name,
            Map<String, String> labels,
            List<Target> targets,
            @Nullable AddressRange range,
            List<Integer> oldNodes,
            List<Integer> newNodes,
            @Nullable Integer count,
            MigrationOptions options) {
        this(name, labels, targets, range, oldNodes, newNodes, count, options, null);
    }

    /**
     * An evacuation of these nodes from the processes of the targets, with these options, and then
     * their memory blocks in this state (or as they are, when null).
     */
    public static JobRequest evacuation(
            @Nullable String name,
            Map<String, String> labels,
            List<Target> targets,
            List<Integer> nodes,
            MigrationOptions options,
            @Nullable MemoryState memory) {
        List<Integer> sorted = nodes.stream().distinct().sorted().toList();
        return new JobRequest(
                name, labels, targets, null, sorted, List.of(), null, options, new Evacuate(sorted, memory));
    }

    /** Whether this is an evacuation. */
    public boolean isEvacuation() {
        return evacuate != null;
    }

    /**
     * Hosts with one of: pids, a cpuset, a Slurm job; or, in an evacuation, none of them: every
     * process of the hosts.
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

    /**
     * What every host does to each process: the mapping, the range and the options (an
     * evacuation's mapping has only its old nodes: the hosts choose where the pages go).
     */
    public MigrationPlan plan() {
        return new MigrationPlan(oldNodes, newNodes, count, range, options);
    }

    /** What each host is asked to migrate, merging every target that names it. */
    public Map<String, TaskTargets> targetsByHost() {
        Map<String, TreeSet<Integer>> pids = new LinkedHashMap<>();
        Map<String, TreeSet<String>> cpusets = new LinkedHashMap<>();
        Map<String, TreeSet<String>> slurmJobs = new LinkedHashMap<>();
        Map<String, Boolean> everyProcess = new LinkedHashMap<>();
        for (Target target : targets) {
            boolean all = target.pids() == null && target.cpuset() == null && target.slurmJob() == null;
            for (String host : target.hosts()) {
                everyProcess.merge(host, all, Boolean::logicalOr);
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
                new TaskTargets(
                        List.copyOf(set),
                        List.copyOf(cpusets.get(host)),
                        List.copyOf(slurmJobs.get(host)),
                        everyProcess.get(host))));
        return result;
    }
}
