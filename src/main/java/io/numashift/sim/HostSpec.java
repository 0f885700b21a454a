package io.numashift.sim;

import io.numashift.core.backend.MemoryPolicy;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One simulated host as a scenario describes it (see docs/scenario.md §2).
 *
 * @param name the host's unique name
 * @param pageSize bytes per page
 * @param pagesPerSecond pace of the simulated copy; 0 means as fast as possible
 * @param microsPerPage the cost profile for dry-run estimates
 * @param nodes the nodes
 * @param distances the distance matrix in the order of {@code nodes}, or null for 10 local, 20 remote
 * @param cpusets the cpusets
 * @param files mapped files with their attributes
 * @param sharedObjects shared memory segments and shared file mappings
 * @param processes the processes
 */
public record HostSpec(
        String name,
        int pageSize,
        double pagesPerSecond,
        double microsPerPage,
        List<NodeSpec> nodes,
        @Nullable List<List<Integer>> distances,
        List<CpusetSpec> cpusets,
        List<FileSpec> files,
        List<SharedObjectSpec> sharedObjects,
        List<ProcessSpec> processes) {

    public static final int DEFAULT_PAGE_SIZE = 4096;
    public static final double DEFAULT_MICROS_PER_PAGE = 1.2;

    public HostSpec {
        nodes = List.copyOf(nodes);
        distances =
                distances == null ? null : distances.stream().map(List::copyOf).toList();
        cpusets = List.copyOf(cpusets);
        files = List.copyOf(files);
        sharedObjects = List.copyOf(sharedObjects);
        processes = List.copyOf(processes);
    }

    /** A host with default page size, pace and cost, and nothing but its nodes. */
    public static HostSpec of(String name, List<NodeSpec> nodes) {
        return new HostSpec(
                name,
                DEFAULT_PAGE_SIZE,
                0,
                DEFAULT_MICROS_PER_PAGE,
                nodes,
                null,
                List.of(),
                List.of(),
                List.of(),
                List.of());
    }

    public HostSpec withDistances(@Nullable List<List<Integer>> value) {
        return new HostSpec(
                name, pageSize, pagesPerSecond, microsPerPage, nodes, value, cpusets, files, sharedObjects, processes);
    }

    public HostSpec withPagesPerSecond(double value) {
        return new HostSpec(
                name, pageSize, value, microsPerPage, nodes, distances, cpusets, files, sharedObjects, processes);
    }

    public HostSpec withCpusets(List<CpusetSpec> value) {
        return new HostSpec(
                name,
                pageSize,
                pagesPerSecond,
                microsPerPage,
                nodes,
                distances,
                value,
                files,
                sharedObjects,
                processes);
    }

    public HostSpec withFiles(List<FileSpec> value) {
        return new HostSpec(
                name,
                pageSize,
                pagesPerSecond,
                microsPerPage,
                nodes,
                distances,
                cpusets,
                value,
                sharedObjects,
                processes);
    }

    public HostSpec withSharedObjects(List<SharedObjectSpec> value) {
        return new HostSpec(
                name, pageSize, pagesPerSecond, microsPerPage, nodes, distances, cpusets, files, value, processes);
    }

    public HostSpec withProcesses(List<ProcessSpec> value) {
        return new HostSpec(
                name, pageSize, pagesPerSecond, microsPerPage, nodes, distances, cpusets, files, sharedObjects, value);
    }

    /**
     * A node.
     *
     * @param id its id (0 to 255)
     * @param capacityPages its memory in pages; 0 for a CPU-only node
     * @param cpus its CPUs
     * @param removable whether its memory can be taken offline (a CXL device, hot-pluggable memory
     *     onlined as movable); the memory of other nodes holds what the kernel cannot move
     */
    public record NodeSpec(int id, long capacityPages, List<Integer> cpus, boolean removable) {
        public NodeSpec {
            cpus = List.copyOf(cpus);
        }

        /** A node whose memory cannot be taken offline. */
        public NodeSpec(int id, long capacityPages, List<Integer> cpus) {
            this(id, capacityPages, cpus, false);
        }
    }

    /**
     * A cpuset.
     *
     * @param path its path
     * @param mems the memory nodes it allows
     * @param cpus the CPUs it allows
     */
    public record CpusetSpec(String path, List<Integer> mems, List<Integer> cpus) {
        public CpusetSpec {
            mems = List.copyOf(mems);
            cpus = List.copyOf(cpus);
        }
    }

    /**
     * A file that processes map.
     *
     * @param path its path
     * @param migrate the extended attribute {@code migrate}: {@code none}, {@code lib} or null
     * @param nfs whether it lives on NFS
     */
    public record FileSpec(String path, @Nullable String migrate, boolean nfs) {}

    /**
     * A shared object: pages that every process mapping it sees.
     *
     * @param name its key, e.g. {@code shm:/mpi-window} or {@code file:/data/lookup.tbl}
     * @param pages its size in pages
     * @param placement resident pages per node, laid out from page 0 in node order
     */
    public record SharedObjectSpec(String name, long pages, Map<Integer, Long> placement) {
        public SharedObjectSpec {
            placement = Map.copyOf(placement);
        }
    }

    /**
     * A process.
     *
     * @param pid its pid
     * @param uid its owner
     * @param command its command name
     * @param cpuset its cpuset, if any
     * @param cpu the CPU it runs on
     * @param stopped whether it is stopped
     * @param policy its process-wide memory policy
     * @param allocatePagesPerStep pages it allocates per migration step while running
     * @param vmas its VMAs
     */
    public record ProcessSpec(
            int pid,
            int uid,
            String command,
            @Nullable String cpuset,
            int cpu,
            boolean stopped,
            MemoryPolicy policy,
            long allocatePagesPerStep,
            List<VmaSpec> vmas,
            @Nullable String slurmJob) {
        public ProcessSpec {
            vmas = List.copyOf(vmas);
        }

        /** A process of no Slurm job. */
        public ProcessSpec(
                int pid,
                int uid,
                String command,
                @Nullable String cpuset,
                int cpu,
                boolean stopped,
                MemoryPolicy policy,
                long allocatePagesPerStep,
                List<VmaSpec> vmas) {
            this(pid, uid, command, cpuset, cpu, stopped, policy, allocatePagesPerStep, vmas, null);
        }

        public static ProcessSpec of(int pid, List<VmaSpec> vmas) {
            return new ProcessSpec(pid, 1000, "proc" + pid, null, 0, false, MemoryPolicy.DEFAULT, 0, vmas);
        }

        public ProcessSpec withCpuset(@Nullable String value) {
            return new ProcessSpec(
                    pid, uid, command, value, cpu, stopped, policy, allocatePagesPerStep, vmas, slurmJob);
        }

        public ProcessSpec withCpu(int value) {
            return new ProcessSpec(
                    pid, uid, command, cpuset, value, stopped, policy, allocatePagesPerStep, vmas, slurmJob);
        }

        public ProcessSpec withStopped(boolean value) {
            return new ProcessSpec(pid, uid, command, cpuset, cpu, value, policy, allocatePagesPerStep, vmas, slurmJob);
        }

        public ProcessSpec withPolicy(MemoryPolicy value) {
            return new ProcessSpec(
                    pid, uid, command, cpuset, cpu, stopped, value, allocatePagesPerStep, vmas, slurmJob);
        }

        public ProcessSpec withAllocatePagesPerStep(long value) {
            return new ProcessSpec(pid, uid, command, cpuset, cpu, stopped, policy, value, vmas, slurmJob);
        }
    }

    /**
     * A VMA.
     *
     * @param start its first address (page aligned)
     * @param pages its size in pages
     * @param perms permissions, e.g. {@code rw-}
     * @param file the mapped file, if any
     * @param shared the shared object it maps, if any (its pages are the object's)
     * @param placement resident pages per node, laid out from the start in node order (private pages)
     * @param pinned how many of the first resident pages are pinned
     * @param policy its own memory policy, if any
     */
    public record VmaSpec(
            long start,
            long pages,
            String perms,
            @Nullable String file,
            @Nullable String shared,
            Map<Integer, Long> placement,
            long pinned,
            @Nullable MemoryPolicy policy) {
        public VmaSpec {
            placement = Map.copyOf(placement);
        }

        /** A private anonymous read-write VMA. */
        public static VmaSpec anon(long start, long pages, Map<Integer, Long> placement) {
            return new VmaSpec(start, pages, "rw-", null, null, placement, 0, null);
        }

        /** A VMA that maps a shared object. */
        public static VmaSpec shared(long start, long pages, String object) {
            return new VmaSpec(start, pages, "rw-", null, object, Map.of(), 0, null);
        }

        public VmaSpec withPerms(String value) {
            return new VmaSpec(start, pages, value, file, shared, placement, pinned, policy);
        }

        public VmaSpec withFile(@Nullable String value) {
            return new VmaSpec(start, pages, perms, value, shared, placement, pinned, policy);
        }

        public VmaSpec withPinned(long value) {
            return new VmaSpec(start, pages, perms, file, shared, placement, value, policy);
        }

        public VmaSpec withPolicy(@Nullable MemoryPolicy value) {
            return new VmaSpec(start, pages, perms, file, shared, placement, pinned, value);
        }
    }
}
