package io.numashift.core.backend;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What the migration core needs of one host: its topology, its processes and their memory, and
 * the operations that move pages and change where a process runs and allocates.
 *
 * <p>Simulated hosts implement it over memory; the Linux backend over {@code /sys}, {@code /proc},
 * {@code move_pages(2)}, cgroups and signals. Page-level work happens inside the backend, one VMA
 * range at a time, so that a backend can walk its own representation (uniform chunks, status
 * arrays from the kernel) without a call per page.
 *
 * <p>Methods throw {@link BackendException} with an errno when the host refuses (for example
 * {@link Errno#ESRCH} when the process is gone, {@link Errno#EPERM} without privilege).
 */
public interface NumaBackend {

    /** The host's name. */
    String hostName();

    /** The nodes with their capacity, free pages and CPUs, the distances and the page size. */
    Topology topology();

    /** Microseconds to move one page, for dry-run estimates (the host's cost profile). */
    default double microsPerPage() {
        return 1.2;
    }

    /**
     * How many pages a second this host moves, when it knows before moving any: a simulated host
     * its pace, or infinity when it does not pace its copies. Empty when it does not know, as a
     * kernel does not. The engine sizes its first batch from it (otherwise it starts small) and
     * then follows the time its batches take.
     */
    default OptionalDouble knownPagesPerSecond() {
        return OptionalDouble.empty();
    }

    /** Free pages on a node now; cheaper than a whole {@link #topology()}. */
    long freePages(int node);

    /** The process with this pid, if it exists. */
    Optional<ProcessInfo> process(int pid);

    /** Every process on the host, ascending by pid (an evacuation's processes unless it names some). */
    List<Integer> pids();

    /** The pids of the processes in a cpuset, ascending. */
    List<Integer> pidsInCpuset(String path);

    /** The cpuset at this path, if it exists. */
    Optional<Cpuset> cpuset(String path);

    /** The VMAs of a process, ascending by address. */
    List<Vma> vmas(int pid);

    /** The migration attribute and file-system type of a mapped file. */
    FileInfo file(String path);

    /** The pids of every process on the host that maps a shared object. */
    Set<Integer> pidsMapping(String sharedObject);

    /**
     * How many resident pages the process has on these nodes, over its whole address space: a
     * cheap look that lets an evacuation pass over a process with nothing there. This default
     * counts them with {@link #census}; a backend may ask its host more cheaply.
     */
    default long pagesOn(int pid, Set<Integer> nodes) {
        Topology topology = topology();
        long pages = 0;
        for (Vma vma : vmas(pid)) {
            Census census = new Census(topology.nodeIdLimit(), null, null, null, null);
            census(pid, vma, 0, vma.pages(topology.pageSize()), census);
            for (int node : nodes) {
                pages += node < census.onNode.length ? census.onNode[node] : 0;
            }
        }
        return pages;
    }

    /** Counts the pages of {@code [fromPage, toPage)} of a VMA (page indices from the VMA's start). */
    void census(int pid, Vma vma, long fromPage, long toPage, Census census);

    /**
     * A digest of (virtual address, content) over the pages of {@code [fromPage, toPage)} that are
     * in {@code pages}; a page of the set that is no longer resident changes the digest. Digests of
     * ranges add up (they are sums), so the engine can combine VMAs.
     */
    long digest(int pid, Vma vma, long fromPage, long toPage, PageSet pages);

    /**
     * Moves pages of {@code [fromPage, toPage)} of a VMA as {@link MovePass} describes; one call is
     * one batch (a running process may allocate between batches). The engine times the calls and
     * sizes the next range by the pending pages it holds, so that a call takes about a quarter of
     * a second at most: a call's time should follow the pending pages of its range, which it
     * finishes before it returns.
     *
     * @return the page index where the pass stopped: {@code toPage}, or earlier when no source has
     *     quota left
     */
    long movePass(int pid, Vma vma, long fromPage, long toPage, MovePass pass);

    /**
     * Looks once more at the pending pages of {@code [fromPage, toPage)} of a VMA before the engine
     * counts them failed for want of room: the kernel may have taken some of them along with the
     * pages it was asked to move (the rest of a huge page that it moved whole, or split and moved in
     * part when the target had no free huge page). A pending page found on a target of the pass
     * counts as moved there ({@link MovePass#movedFrom}, {@link MovePass#log}); one on another node
     * outside {@link MovePass#moving}, as moved away; the rest stay pending. A backend that moves
     * only the pages it is asked to (a simulated host) finds none.
     */
    default void claimLeft(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {}

    /** Sets the process-wide memory policy. */
    void setPolicy(int pid, MemoryPolicy policy);

    /** Sets the memory policy of the part {@code [start, end)} of a VMA. */
    void setVmaPolicy(int pid, long start, long end, MemoryPolicy policy);

    /**
     * The processes of a Slurm job on this host (an id such as {@code 42}, or {@code 42_7} for an
     * array task), or empty when the job runs no process here (or the host knows no Slurm).
     */
    default Optional<List<Integer>> slurmJobPids(String job) {
        return Optional.empty();
    }

    /**
     * Takes every memory block of a node offline, or brings every one online, block by block, and
     * says what became of them: a host refuses to take offline a block that holds pages it cannot
     * move ({@code EBUSY}). A node offline has no memory: its capacity is 0 until it is online
     * again.
     *
     * @throws BackendException {@code ENODEV} when the host has no such node, {@code EOPNOTSUPP}
     *     when it cannot change its memory blocks
     */
    default MemoryBlocks setMemory(int node, MemoryState state) {
        throw new BackendException(Errno.EOPNOTSUPP, "host " + hostName() + " cannot take memory blocks offline");
    }

    /** Moves the process into a cpuset. */
    void moveToCpuset(int pid, String path);

    /**
     * Whether moving a process into this cpuset makes the kernel move its memory onto the cpuset's
     * nodes too (cgroup v2 always does; a v1 cpuset when its {@code memory_migrate} is set). A
     * simulated host's cpusets do not.
     */
    default boolean cpusetMovesMemory(String path) {
        return false;
    }

    /** Moves the process to run on a CPU. */
    void moveToCpu(int pid, int cpu);

    /** Stops the process (SIGSTOP). */
    void stop(int pid);

    /** Lets a stopped process continue (SIGCONT). */
    void resume(int pid);
}
