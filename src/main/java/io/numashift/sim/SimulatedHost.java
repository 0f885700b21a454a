package io.numashift.sim;

import io.numashift.core.backend.Census;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.FileInfo;
import io.numashift.core.backend.MemoryBlocks;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.MemoryState;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import io.numashift.core.backend.Vma;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.LongToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A NUMA host held in memory: nodes with capacities, processes with VMAs, and where each page is.
 * It implements the backend interface that the Linux kernel also implements, so the migration
 * core runs unchanged against it: over the scenario's rules ({@link HostRules}: what the spec
 * declares and what the host refuses), its memory ({@link SimulatedMemory}: placement, capacity,
 * census, digest, allocations) and its moves ({@link SimulatedMoves}, paced by {@code
 * pagesPerSecond}).
 *
 * <p>Every page carries content derived from its memory object and page index, so a digest of
 * (address, content) shows whether a page was lost. Running processes allocate pages at every
 * migration step ({@code allocatePagesPerStep}), where their policy puts them.
 *
 * <p>Thread-safe: state changes under the host's lock; pacing waits outside it.
 */
public final class SimulatedHost implements NumaBackend {
    private final String name;
    private final double pagesPerSecond;
    private final double microsPerPage;
    private final HostRules rules;
    private final SimulatedMemory memory;
    private final SimulatedMoves moves;

    private SimulatedHost(HostSpec spec, HostRules rules, SimulatedMemory memory, PaceClock clock) {
        this.name = spec.name();
        this.pagesPerSecond = spec.pagesPerSecond();
        this.microsPerPage = spec.microsPerPage();
        this.rules = rules;
        this.memory = memory;
        this.moves = new SimulatedMoves(memory, pagesPerSecond, clock);
    }

    /**
     * Builds a host from its spec, checking every rule of the scenario format.
     *
     * @throws ScenarioException naming the host, process and field that break a rule
     */
    public static SimulatedHost create(HostSpec spec) {
        return create(spec, PaceClock.SYSTEM);
    }

    /**
     * Builds a host whose page copies are paced by the given clock.
     *
     * @throws ScenarioException naming the host, process and field that break a rule
     */
    public static SimulatedHost create(HostSpec spec, PaceClock clock) {
        Set<Integer> cpus = HostRules.checkHost(spec);
        SimulatedMemory memory = new SimulatedMemory(spec);
        HostRules rules = new HostRules(spec, memory, cpus);
        return new SimulatedHost(spec, rules, memory, clock);
    }

    // ---- NumaBackend ----

    @Override
    public String hostName() {
        return name;
    }

    @Override
    public double microsPerPage() {
        return microsPerPage;
    }

    /** Its {@code pagesPerSecond}; unpaced, its copies cost only the CPU they take: infinity. */
    @Override
    public OptionalDouble knownPagesPerSecond() {
        return OptionalDouble.of(pagesPerSecond > 0 ? pagesPerSecond : Double.POSITIVE_INFINITY);
    }

    @Override
    public synchronized Topology topology() {
        return memory.topology();
    }

    @Override
    public synchronized long freePages(int node) {
        return memory.freePages(node);
    }

    @Override
    public synchronized Optional<ProcessInfo> process(int pid) {
        SimProcess p = rules.processes.get(pid);
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(new ProcessInfo(p.pid, p.uid, p.command, p.cpuset, p.cpu, p.stopped, p.policy));
    }

    /** Takes a removable node offline when it is empty, or brings it online (docs/scenario.md). */
    @Override
    public synchronized MemoryBlocks setMemory(int node, MemoryState state) {
        return memory.setMemory(node, state);
    }

    @Override
    public synchronized List<Integer> pids() {
        return List.copyOf(rules.processes.keySet());
    }

    @Override
    public synchronized List<Integer> pidsInCpuset(String path) {
        return rules.processes.values().stream()
                .filter(p -> path.equals(p.cpuset))
                .map(p -> p.pid)
                .toList();
    }

    /** The processes the scenario gives this Slurm job ({@code slurmJob}); empty when it gives none. */
    @Override
    public synchronized Optional<List<Integer>> slurmJobPids(String job) {
        List<Integer> pids = rules.processes.values().stream()
                .filter(p -> job.equals(p.slurmJob))
                .map(p -> p.pid)
                .toList();
        return pids.isEmpty() ? Optional.empty() : Optional.of(pids);
    }

    @Override
    public synchronized Optional<Cpuset> cpuset(String path) {
        return Optional.ofNullable(rules.cpusets.get(path));
    }

    @Override
    public synchronized List<Vma> vmas(int pid) {
        return rules.process(pid, "vmas").vmas.stream()
                .map(v -> v.view(memory.pageSize))
                .toList();
    }

    @Override
    public synchronized FileInfo file(String path) {
        return rules.files.getOrDefault(path, FileInfo.plain(path));
    }

    @Override
    public synchronized Set<Integer> pidsMapping(String sharedObject) {
        Set<Integer> pids = new HashSet<>();
        for (SimProcess p : rules.processes.values()) {
            if (p.vmas.stream().anyMatch(v -> sharedObject.equals(v.shared))) {
                pids.add(p.pid);
            }
        }
        return pids;
    }

    @Override
    public synchronized void census(int pid, Vma vma, long fromPage, long toPage, Census census) {
        memory.census(rules.vma(pid, vma), fromPage, toPage, census);
    }

    @Override
    public synchronized long digest(int pid, Vma vma, long fromPage, long toPage, PageSet pages) {
        return memory.digest(rules.vma(pid, vma), fromPage, toPage, pages);
    }

    /** One call is one step of the running processes, which allocate first; pacing waits outside the lock. */
    @Override
    public long movePass(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {
        long stop;
        long movedPages;
        synchronized (this) {
            memory.allocateStep(rules.processes.values());
            long before = SimulatedMoves.total(pass.movedFrom);
            stop = moves.move(rules.vma(pid, vma), fromPage, toPage, pass);
            movedPages = SimulatedMoves.total(pass.movedFrom) - before;
        }
        moves.pace(movedPages);
        return stop;
    }

    @Override
    public synchronized void setPolicy(int pid, MemoryPolicy policy) {
        rules.requireNodesExist(policy);
        rules.process(pid, "setPolicy").policy = policy;
    }

    @Override
    public synchronized void setVmaPolicy(int pid, long start, long end, MemoryPolicy policy) {
        rules.requireNodesExist(policy);
        SimProcess process = rules.process(pid, "setVmaPolicy");
        List<SimVma> result = new ArrayList<>();
        for (SimVma v : process.vmas) {
            long vEnd = v.end(memory.pageSize);
            if (vEnd <= start || v.start >= end) {
                result.add(v);
                continue;
            }
            // Like mbind(2), a policy on part of a VMA splits it.
            long cutStart = Math.max(start, v.start);
            long cutEnd = Math.min(end, vEnd);
            if (cutStart > v.start) {
                result.add(slice(v, v.start, cutStart, v.policy));
            }
            result.add(slice(v, cutStart, cutEnd, policy));
            if (cutEnd < vEnd) {
                result.add(slice(v, cutEnd, vEnd, v.policy));
            }
        }
        process.vmas.clear();
        process.vmas.addAll(result);
    }

    private SimVma slice(SimVma v, long start, long end, @Nullable MemoryPolicy policy) {
        long skip = (start - v.start) / memory.pageSize;
        return new SimVma(
                start, (end - start) / memory.pageSize, v.perms, v.file, v.shared, v.object, v.offset + skip, policy);
    }

    @Override
    public synchronized void moveToCpuset(int pid, String path) {
        rules.requireCpuset(path);
        rules.process(pid, "moveToCpuset").cpuset = path;
    }

    @Override
    public synchronized void moveToCpu(int pid, int cpu) {
        rules.requireCpu(cpu);
        rules.process(pid, "moveToCpu").cpu = cpu;
    }

    @Override
    public synchronized void stop(int pid) {
        rules.process(pid, "stop").stopped = true;
    }

    @Override
    public synchronized void resume(int pid) {
        rules.process(pid, "resume").stopped = false;
    }

    // ---- what tests and benchmarks observe ----

    /** The node of the page at an address of a process, or -1 when it is not present. */
    public synchronized int nodeOf(int pid, long address) {
        return memory.nodeOf(rules.vmaAt(pid, address), address);
    }

    /** The content of the page at an address, or 0 when it is not present. */
    public synchronized long contentOf(int pid, long address) {
        return memory.contentOf(rules.vmaAt(pid, address), address);
    }

    /** Pages in use on a node (private and shared, each page once). */
    public synchronized long usedPages(int node) {
        return memory.used[node];
    }

    public synchronized long capacityPages(int node) {
        return memory.capacity[node];
    }

    /** Resident pages of a process per node, over all its VMAs. */
    public synchronized SortedMap<Integer, Long> placement(int pid) {
        return memory.placement(rules.process(pid, "placement").vmas);
    }

    /**
     * Lays the private pages of a VMA out again, page by page ({@code -1} for not present), for
     * tests and benchmarks that need placements a scenario cannot express.
     */
    public synchronized void relayout(int pid, long vmaStart, LongToIntFunction nodeOfPage) {
        SimVma v = rules.vmaAt(pid, vmaStart);
        if (v.shared != null) {
            throw new IllegalArgumentException("relayout works on private VMAs");
        }
        memory.relayout(v, nodeOfPage);
    }

    /** Bytes of heap that the page placements of this host hold. */
    public synchronized long placementHeapBytes() {
        Set<MemoryObject> objects = new HashSet<>(rules.sharedObjects.values());
        for (SimProcess p : rules.processes.values()) {
            for (SimVma v : p.vmas) {
                objects.add(v.object);
            }
        }
        return objects.stream().mapToLong(o -> o.placement.heapBytes()).sum();
    }
}
