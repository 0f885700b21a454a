package io.numashift.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.FileInfo;
import io.numashift.core.backend.MemoryBlocks;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.MemoryState;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageDigest;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import io.numashift.core.backend.Vma;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The backend interface over the running Linux kernel.
 *
 * <ul>
 *   <li>topology from {@code /sys/devices/system/node} (per-node {@code meminfo}, {@code cpulist},
 *       {@code distance}), the page size from {@code getpagesize(3)};
 *   <li>processes from {@code /proc/<pid>} ({@code stat}, {@code status}, {@code cgroup}), VMAs
 *       from {@code maps}, memory policies from {@code numa_maps};
 *   <li>where pages are, and moving them, with {@code move_pages(2)} in batches; contents for the
 *       digest with {@code process_vm_readv(2)};
 *   <li>cpusets as cgroups (v1 {@code cpuset} controller or v2), CPUs with {@code
 *       sched_setaffinity(2)} of every thread, stopping with {@code SIGSTOP} and {@code SIGCONT};
 *   <li>the extended attribute {@code user.numashift.migrate} of mapped files, and NFS from the mount
 *       table.
 * </ul>
 *
 * <p>The kernel applies {@code set_mempolicy(2)} and {@code mbind(2)} to the calling process only,
 * so {@link #setPolicy} and {@link #setVmaPolicy} fail with {@link Errno#EOPNOTSUPP}, which the
 * engine reports as a warning. Another user's process needs ptrace access to it ({@code
 * CAP_SYS_PTRACE}), and moving shared pages ({@code MPOL_MF_MOVE_ALL}) {@code CAP_SYS_NICE};
 * without them calls fail with {@link Errno#EPERM}.
 *
 * <p>Thread-safe: one page operation at a time uses the lanes ({@link Lanes}), under their lock.
 */
public final class LinuxBackend implements NumaBackend {
    /** The extended attribute, without the {@code user.} namespace that the file view implies. */
    static final String MIGRATE_ATTRIBUTE = "numashift.migrate";

    private static final Path PROC = Path.of("/proc");
    private static final Path NODES = Path.of("/sys/devices/system/node");
    private static final String SHARED_PREFIX = "shared:";
    private static final Set<String> KERNEL_MAPPINGS = Set.of("[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]");
    private static final int ENOENT = Errno.ENOENT.number();
    private static final int EACCES = Errno.EACCES.number();
    private static final int EFAULT = Errno.EFAULT.number();
    private static final int EBUSY = Errno.EBUSY.number();
    private static final int ENOMEM = Errno.ENOMEM.number();
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);
    private static final PageDigest DIGEST = PageDigest.LINUX;
    /** Bit 62 of a {@code pagemap} entry: swapped, or a migration entry (a page on its way to another node). */
    private static final long SWAPPED = 1L << 62;
    /** The swap type of a swapped {@code pagemap} entry (bits 0-4), given to readers with CAP_SYS_ADMIN. */
    private static final long SWAP_TYPE = 0x1f;
    /**
     * The first swap type that no swap device has: the kernel's special entries (device, migration,
     * hardware poison, markers) take the top types of the 32, and swap devices the rest (at most 23
     * on the kernels of these years, fewer as special types were added).
     */
    private static final long FIRST_SPECIAL_SWAP_TYPE = 23;
    /** Bits 0–54 of a {@code pagemap} entry of a present page: its frame number (0 without {@code CAP_SYS_ADMIN}). */
    private static final long PFN_MASK = (1L << 55) - 1;

    private static final Path KPAGEFLAGS = Path.of("/proc/kpageflags");
    /** {@code KPF_LRU}: the page is on an LRU list, so no migration holds it. */
    private static final long KPF_LRU = 1L << 5;

    private final String hostName;
    private final Syscalls sys;
    private final int pageSize;
    private final CpusetHierarchy cpusets;
    private final Lanes lanes;
    private final MemoryHotplug hotplug = new MemoryHotplug(NODES, Path.of("/sys/devices/system/memory"));
    /** Base pages in a transparent huge page. */
    private final long hugePages;

    LinuxBackend(String hostName, Syscalls sys, CpusetHierarchy cpusets, int lanes) {
        this.hostName = hostName;
        this.sys = sys;
        this.pageSize = sys.pageSize();
        this.cpusets = cpusets;
        this.lanes = new Lanes(lanes, i -> new PageBatch(pageSize));
        this.hugePages = hugePageBytes() / pageSize;
    }

    /**
     * The backend of this machine, with one lane per CPU up to {@value Lanes#DEFAULT_MAX}.
     *
     * @param hostName the name the host has in the service
     * @throws UnsupportedOperationException off Linux, or when the JVM was started without {@code
     *     --enable-native-access=ALL-UNNAMED} and denies native access (the message says so)
     */
    public static LinuxBackend open(String hostName) {
        return open(hostName, defaultLanes());
    }

    /**
     * The backend of this machine, moving and reading pages in up to {@code lanes} threads at once.
     *
     * @param lanes 1 to {@value Lanes#MAX}
     * @throws IllegalArgumentException when {@code lanes} is out of range
     * @throws UnsupportedOperationException as {@link #open(String)}
     */
    public static LinuxBackend open(String hostName, int lanes) {
        if (lanes < 1 || lanes > Lanes.MAX) {
            throw new IllegalArgumentException("lanes must be 1 to " + Lanes.MAX + ", not " + lanes);
        }
        return new LinuxBackend(hostName, Syscalls.link(), CpusetHierarchy.detect(Mount.readAll()), lanes);
    }

    /** The lanes of {@link #open(String)} on this machine: one per CPU the JVM may use, at most {@value Lanes#DEFAULT_MAX}. */
    public static int defaultLanes() {
        return Lanes.defaultCount(Runtime.getRuntime().availableProcessors());
    }

    /** The size of a transparent huge page, from {@code /sys/kernel/mm/transparent_hugepage}; 2 MiB where it does not say. */
    private static long hugePageBytes() {
        try {
            return Long.parseLong(Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"))
                    .strip());
        } catch (IOException | NumberFormatException e) {
            return 2 << 20;
        }
    }

    /** How many threads move and read pages at once. */
    public int lanes() {
        return lanes.size();
    }

    @Override
    public String hostName() {
        return hostName;
    }

    // ---- topology ----

    @Override
    public Topology topology() {
        List<Integer> ids = IdList.parse(read(NODES.resolve("online")));
        List<Node> nodes = new ArrayList<>();
        int[][] distances = new int[ids.size()][];
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            Path dir = NODES.resolve("node" + id);
            nodes.add(new Node(
                    id,
                    meminfoPages(id, "MemTotal"),
                    meminfoPages(id, "MemFree"),
                    IdList.parse(read(dir.resolve("cpulist")))));
            distances[i] = List.of(read(dir.resolve("distance")).strip().split("\\s+")).stream()
                    .mapToInt(Integer::parseInt)
                    .toArray();
        }
        return new Topology(pageSize, nodes, distances);
    }

    @Override
    public long freePages(int node) {
        return meminfoPages(node, "MemFree");
    }

    /** A field of {@code nodeN/meminfo} ({@code Node 0 MemFree:  4411880 kB}) in pages; 0 when absent. */
    private long meminfoPages(int node, String field) {
        Path file = NODES.resolve("node" + node).resolve("meminfo");
        if (!Files.exists(file)) {
            return 0;
        }
        for (String line : lines(file)) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length >= 4 && parts[2].equals(field + ":")) {
                return Long.parseLong(parts[3]) * 1024 / pageSize;
            }
        }
        return 0;
    }

    // ---- processes and cpusets ----

    @Override
    public Optional<ProcessInfo> process(int pid) {
        try {
            return readProcess(pid);
        } catch (BackendException e) {
            if (e.errno() == Errno.ESRCH) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<ProcessInfo> readProcess(int pid) {
        Optional<String> stat = procText(pid, "stat");
        if (stat.isEmpty()) {
            return Optional.empty();
        }
        String text = stat.get();
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        String command = text.substring(open + 1, close);
        String[] fields = text.substring(close + 2).split(" ");
        char state = fields[0].charAt(0);
        if (state == 'Z' || state == 'X') {
            // Exited, not yet reaped: no memory left to migrate.
            return Optional.empty();
        }
        // Field 39 of stat (counted from 1) is the CPU the process last ran on; fields[0] is field 3.
        int cpu = Integer.parseInt(fields[39 - 3]);
        int uid = -1;
        for (String line : procLines(pid, "status")) {
            if (line.startsWith("Uid:")) {
                uid = Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
            }
        }
        String cpuset = cpusets.cpusetOf(procLines(pid, "cgroup")).orElse(null);
        MemoryPolicy policy = NumaMaps.parse(procLines(pid, "numa_maps")).process();
        return Optional.of(new ProcessInfo(pid, uid, command, cpuset, cpu, state == 'T', policy));
    }

    /**
     * The pids of {@code scontrol listpids JOB}: the processes of the job's steps on this host, as
     * this host's {@code slurmd} knows them (while the job runs). Empty when {@code scontrol} says
     * the job runs nothing here; {@code ENOENT} when there is no {@code scontrol} to ask.
     */
    @Override
    public Optional<List<Integer>> slurmJobPids(String job) {
        if (!job.matches("[0-9]{1,18}(_[0-9]{1,9})?")) {
            throw new BackendException(Errno.EINVAL, "not a Slurm job id: " + job);
        }
        Process scontrol;
        try {
            scontrol = new ProcessBuilder("scontrol", "listpids", job)
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new BackendException(
                    Errno.ENOENT,
                    "cannot run scontrol on this host (is Slurm installed and on the agent's PATH?): "
                            + e.getMessage());
        }
        List<Integer> pids = new ArrayList<>();
        try (BufferedReader out = scontrol.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = out.readLine()) != null) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length >= 2 && fields[0].matches("[0-9]{1,10}")) {
                    pids.add(Integer.parseInt(fields[0]));
                }
            }
            if (!scontrol.waitFor(30, TimeUnit.SECONDS)) {
                scontrol.destroyForcibly();
                throw new BackendException(Errno.ESRCH, "scontrol listpids " + job + " did not answer in 30 s");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the answer of scontrol listpids " + job, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scontrol.destroyForcibly();
            throw new BackendException(Errno.ESRCH, "interrupted asking scontrol for job " + job);
        }
        return scontrol.exitValue() == 0 && !pids.isEmpty()
                ? Optional.of(pids.stream().sorted().distinct().toList())
                : Optional.empty();
    }

    /**
     * The pages the kernel counts on these nodes in {@code /proc/<pid>/numa_maps} ({@code N<node>=}
     * of every VMA): it walks the page tables itself, far faster than a census of every page.
     */
    @Override
    public long pagesOn(int pid, Set<Integer> nodes) {
        long pages = 0;
        for (String line : procLines(pid, "numa_maps")) {
            for (String field : line.split(" ")) {
                if (field.length() > 2 && field.charAt(0) == 'N' && field.indexOf('=') > 1) {
                    int equals = field.indexOf('=');
                    try {
                        if (nodes.contains(Integer.parseInt(field.substring(1, equals)))) {
                            pages += Long.parseLong(field.substring(equals + 1));
                        }
                    } catch (NumberFormatException e) {
                        // Not a node's count.
                    }
                }
            }
        }
        return pages;
    }

    /** Takes a node's memory blocks offline or online through {@link MemoryHotplug}. */
    @Override
    public MemoryBlocks setMemory(int node, MemoryState state) {
        return hotplug.set(node, state);
    }

    /**
     * How long one memory block may take to go offline before it is given up ({@code
     * numashift.agent.offline-timeout}): the kernel keeps trying to move the pages off a block
     * until the writer is killed.
     */
    public void offlineTimeout(Duration timeout) {
        hotplug.timeout(timeout);
    }

    /** The numeric entries of {@code /proc}: every process of the host's pid namespace. */
    @Override
    public List<Integer> pids() {
        try (var entries = Files.list(PROC)) {
            return entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit) && name.length() < 10)
                    .map(Integer::parseInt)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BackendException(Errno.EACCES, "cannot list /proc: " + e.getMessage());
        }
    }

    @Override
    public List<Integer> pidsInCpuset(String path) {
        return cpusets.directory(path)
                .map(dir -> lines(dir.resolve("cgroup.procs")).stream()
                        .filter(line -> !line.isBlank())
                        .map(line -> Integer.parseInt(line.strip()))
                        .sorted()
                        .toList())
                .orElse(List.of());
    }

    @Override
    public Optional<Cpuset> cpuset(String path) {
        Optional<Path> dir = cpusets.directory(path);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        List<Integer> mems = cpusets.memsFile(dir.get())
                .map(file -> IdList.parse(read(file)))
                .orElseGet(() -> topology().nodes().stream().map(Node::id).toList());
        List<Integer> cpus = cpusets.cpusFile(dir.get())
                .map(file -> IdList.parse(read(file)))
                .orElseGet(() -> topology().nodes().stream()
                        .flatMap(n -> n.cpus().stream())
                        .toList());
        return Optional.of(new Cpuset(path, mems, cpus));
    }

    @Override
    public boolean cpusetMovesMemory(String path) {
        return cpusets.directory(path).map(cpusets::movesMemoryOnEntry).orElse(false);
    }

    @Override
    public void moveToCpuset(int pid, String path) {
        Path dir = cpusets.directory(path)
                .orElseThrow(() ->
                        new BackendException(Errno.EINVAL, "cpuset " + path + " does not exist on host " + hostName));
        try {
            sys.writeFile(dir.resolve("cgroup.procs").toString(), Integer.toString(pid));
        } catch (SyscallException e) {
            String what = "moving process " + pid + " into cpuset " + path;
            if (e.errno() == EACCES) {
                throw new BackendException(Errno.EPERM, what + ": not permitted to write its cgroup.procs");
            }
            if (e.errno() == Errno.ESRCH.number() || e.errno() == Errno.EPERM.number()) {
                throw failure(e, what, pid);
            }
            // ENOSPC (a v1 cpuset without mems or cpus), EBUSY or EOPNOTSUPP (v2 rules of the tree).
            throw new BackendException(Errno.EINVAL, what + ": the cpuset cannot take it (errno " + e.errno() + ")");
        }
    }

    @Override
    public void moveToCpu(int pid, int cpu) {
        if (topology().nodeOfCpu(cpu).isEmpty()) {
            throw new BackendException(Errno.EINVAL, "CPU " + cpu + " does not exist on host " + hostName);
        }
        List<Integer> threads = threads(pid);
        int pinned = 0;
        for (int tid : threads) {
            try {
                sys.pinToCpu(tid, cpu);
                pinned++;
            } catch (SyscallException e) {
                if (e.errno() != Errno.ESRCH.number()) {
                    throw failure(e, "moving process " + pid + " to CPU " + cpu, pid);
                }
                // A thread that exited meanwhile needs no CPU.
            }
        }
        if (pinned == 0) {
            throw new BackendException(Errno.ESRCH, "no process " + pid + " on host " + hostName);
        }
    }

    private List<Integer> threads(int pid) {
        List<Integer> tids = new ArrayList<>();
        try (DirectoryStream<Path> tasks =
                Files.newDirectoryStream(PROC.resolve(Integer.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                tids.add(Integer.parseInt(task.getFileName().toString()));
            }
        } catch (NoSuchFileException e) {
            throw new BackendException(Errno.ESRCH, "no process " + pid + " on host " + hostName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tids;
    }

    /**
     * Sends {@code SIGSTOP} and waits, up to {@link #STOP_WAIT}, until every thread is stopped, so
     * that no page moves while the process still runs. A thread in an uninterruptible sleep stops
     * when it leaves it; after the wait the migration goes on with the process running.
     */
    @Override
    public void stop(int pid) {
        signal(pid, Syscalls.SIGSTOP, "stopping");
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (!allThreadsStopped(pid) && System.nanoTime() < deadline) {
            if (!pause(1)) {
                return;
            }
        }
    }

    private boolean allThreadsStopped(int pid) {
        Path tasks = PROC.resolve(Integer.toString(pid)).resolve("task");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tasks)) {
            for (Path task : entries) {
                String stat = Files.readString(task.resolve("stat"));
                if (stat.charAt(stat.lastIndexOf(')') + 2) != 'T') {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            // Gone, or not ours to look at: nothing to wait for.
            return true;
        }
    }

    @Override
    public void resume(int pid) {
        signal(pid, Syscalls.SIGCONT, "resuming");
    }

    private void signal(int pid, int signal, String what) {
        try {
            sys.kill(pid, signal);
        } catch (SyscallException e) {
            throw failure(e, what + " process " + pid, pid);
        }
    }

    @Override
    public void setPolicy(int pid, MemoryPolicy policy) {
        throw new BackendException(
                Errno.EOPNOTSUPP,
                "Linux applies set_mempolicy(2) to the calling process only: the policy of process " + pid
                        + " stays as it is, not " + policy);
    }

    @Override
    public void setVmaPolicy(int pid, long start, long end, MemoryPolicy policy) {
        throw new BackendException(
                Errno.EOPNOTSUPP,
                "Linux applies mbind(2) to the calling process only: the policy of 0x" + Long.toHexString(start) + "-0x"
                        + Long.toHexString(end) + " of process " + pid + " stays as it is, not " + policy);
    }

    // ---- VMAs, files and shared objects ----

    /**
     * The VMAs of {@code /proc/<pid>/maps}. A shared mapping ({@code s}) maps the shared object
     * {@code shared:<device>:<inode>}, the same for every process that maps that file or segment;
     * a deleted file (anonymous shared memory, SysV segments, memfd) has no path. The kernel's own
     * mappings ({@code [vdso]}, {@code [vvar]}, {@code [vvar_vclock]}, {@code [vsyscall]}) are left
     * out: their pages belong to the kernel, cannot move, and {@code numa_maps} counts none of them.
     */
    @Override
    public List<Vma> vmas(int pid) {
        List<String> maps = procLines(pid, "maps");
        NumaMaps policies = NumaMaps.parse(procLines(pid, "numa_maps"));
        List<Vma> vmas = new ArrayList<>();
        for (String line : maps) {
            String[] f = line.split("\\s+", 6);
            String name = f.length == 6 ? f[5].strip() : "";
            if (KERNEL_MAPPINGS.contains(name)) {
                continue;
            }
            int dash = f[0].indexOf('-');
            long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            String perms = f[1].substring(0, 3);
            boolean shared = f[1].charAt(3) == 's';
            String file = name.startsWith("/") && !name.endsWith(" (deleted)") ? name : null;
            String object = shared ? SHARED_PREFIX + f[3] + ":" + f[4] : null;
            long offset = Long.parseUnsignedLong(f[2], 16) / pageSize;
            vmas.add(new Vma(start, end, perms, file, object, offset, policies.ownPolicy(start)));
        }
        return vmas;
    }

    /**
     * The attribute {@code user.numashift.migrate} and whether the file is on NFS (the mount that
     * holds it, by the longest mount point, is {@code nfs} or {@code nfs4}); NFS files are not asked
     * for attributes, since NFS files move whatever they claim.
     */
    @Override
    public FileInfo file(String path) {
        Path file = Path.of(path);
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            // Gone or unreadable since it was mapped: it carries no attribute to honour.
            return FileInfo.plain(path);
        }
        boolean nfs = Mount.containing(Mount.readAll(), real).map(Mount::nfs).orElse(false);
        return new FileInfo(path, nfs ? null : migrateAttribute(real), nfs);
    }

    private static String migrateAttribute(Path file) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (view == null) {
            return null;
        }
        try {
            if (!view.list().contains(MIGRATE_ATTRIBUTE)) {
                return null;
            }
            ByteBuffer value = ByteBuffer.allocate(view.size(MIGRATE_ATTRIBUTE));
            view.read(MIGRATE_ATTRIBUTE, value);
            return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8).strip();
        } catch (FileSystemException e) {
            // The file system keeps no user attributes (or they went away): none is set.
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the attributes of " + file, e);
        }
    }

    /** Every pid whose {@code maps} has a shared mapping of the object; processes it cannot read are left out. */
    @Override
    public Set<Integer> pidsMapping(String sharedObject) {
        if (!sharedObject.startsWith(SHARED_PREFIX)) {
            return Set.of();
        }
        String key = sharedObject.substring(SHARED_PREFIX.length());
        int split = key.lastIndexOf(':');
        String device = key.substring(0, split);
        String inode = key.substring(split + 1);
        Set<Integer> pids = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(
                PROC, entry -> isPid(entry.getFileName().toString()))) {
            for (Path entry : entries) {
                int pid = Integer.parseInt(entry.getFileName().toString());
                List<String> maps;
                try {
                    maps = Files.readAllLines(entry.resolve("maps"));
                } catch (IOException e) {
                    continue;
                }
                for (String line : maps) {
                    String[] f = line.split("\\s+", 6);
                    if (f.length >= 5 && f[1].charAt(3) == 's' && f[3].equals(device) && f[4].equals(inode)) {
                        pids.add(pid);
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + PROC, e);
        }
        return pids;
    }

    private static boolean isPid(String name) {
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    // ---- pages ----
    //
    // Every page operation works the range in rounds of spans of PageBatch.PAGES pages, one span a
    // lane: the lanes make their system calls side by side, and what the calls found is added up on
    // the calling thread in address order, so results do not depend on the number of lanes.

    @Override
    public void census(int pid, Vma vma, long fromPage, long toPage, Census census) {
        synchronized (lanes) {
            for (long first = fromPage; first < toPage; ) {
                int n = spans(vma, first, toPage);
                lanes.run(n, (lane, j) -> {
                    int count = (int) (lane.spanEnd - lane.spanFirst);
                    for (int i = 0; i < count; i++) {
                        lane.address(i, vma.start() + (lane.spanFirst + i) * pageSize);
                    }
                    lane.count = count;
                    queryNodes(lane, pid, count, lane.status);
                });
                for (int j = 0; j < n; j++) {
                    count(lanes.lane(j), lanes.lane(j).spanFirst, census);
                }
                first = lanes.lane(n - 1).spanEnd;
            }
        }
    }

    private static void count(PageBatch lane, long first, Census census) {
        for (int i = 0; i < lane.count; i++) {
            int node = lane.status(i);
            long page = first + i;
            if (node < 0) {
                census.notPresent++;
                continue;
            }
            census.onNode[node]++;
            if (census.resident != null) {
                census.resident.set(page);
            }
            if (census.pending != null && census.moving != null && census.moving[node]) {
                census.pending.set(page);
            }
            if (census.baseline != null && !census.baseline.get(page)) {
                census.newOnNode[node]++;
            }
        }
    }

    /**
     * Moves the pending pages of the range. Each round the lanes read where the pending pages of
     * their spans are ({@code move_pages} status queries); the calling thread then decides, in
     * address order, which pages their source's quota lets move, so that each page is moved at
     * most once and the lowest addresses go first, as one thread would; the lanes move them, one
     * {@code move_pages(2)} call per target node and span; and the calling thread accounts every
     * page by the status the kernel gave it.
     *
     * <p>Per page status: the target node (moved), {@code -EBUSY} (pinned: failed), {@code
     * -EACCES} (mapped by another process without {@code MPOL_MF_MOVE_ALL}: skipped as shared),
     * {@code -ENOENT} or {@code -EFAULT} (gone). A call that fails with {@code ENOMEM} marks its
     * target full; one that leaves pages unmoved (the kernel gave up on a page it could not
     * migrate, and stopped there) is repeated page by page to find the pinned ones. Pages whose
     * call failed are read back, since the kernel writes no status for them.
     */
    @Override
    public long movePass(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {
        if (!hasQuota(pass)) {
            return fromPage;
        }
        synchronized (lanes) {
            int flags = pass.moveShared ? Syscalls.MPOL_MF_MOVE_ALL : Syscalls.MPOL_MF_MOVE;
            for (long first = fromPage; first < toPage; ) {
                int n = spans(vma, first, toPage);
                first = lanes.lane(n - 1).spanEnd;
                lanes.run(n, (lane, j) -> {
                    collect(lane, vma, lane.spanFirst, lane.spanEnd, pass.pending);
                    queryNodes(lane, pid, lane.count, lane.status);
                    awaitInTransit(lane, pid);
                });
                long[] planned = new long[pass.nodeIdLimit];
                for (int j = 0; j < n; j++) {
                    plan(lanes.lane(j), pass, planned);
                }
                lanes.run(n, (lane, j) -> moveLane(lane, pid, vma.start(), flags, pass));
                long lastMoved = -1;
                for (int j = 0; j < n; j++) {
                    lastMoved = Math.max(lastMoved, account(lanes.lane(j), pass));
                }
                if (!hasQuota(pass)) {
                    claimHugeNeighbours(pid, vma, fromPage, lastMoved + 1, pass);
                    return lastMoved + 1;
                }
            }
            claimHugeNeighbours(pid, vma, fromPage, toPage, pass);
            return toPage;
        }
    }

    /**
     * Accounts the pages that a move of a transparent huge page took along from outside the range
     * {@code [from, end)}. The kernel moves a huge page whole, whichever of its base pages the call
     * names, so a range that starts or ends inside one moves base pages on either side of it too.
     * Pending pages of the huge-page-sized regions at the two ends of the range that are now on a
     * node this call moved pages of that region's source to are counted as moved by this call,
     * rather than as moved by the kernel when a later call finds them there.
     */
    private void claimHugeNeighbours(int pid, Vma vma, long from, long end, MovePass pass) {
        boolean[] moving = pass.moving;
        if (moving == null) {
            // Without the nodes the migration moves from (a rollback), no page counts as taken along.
            return;
        }
        long vmaFirstPage = vma.start() / pageSize;
        long head = from - Math.floorMod(vmaFirstPage + from, hugePages);
        long tail = end + Math.floorMod(hugePages - Math.floorMod(vmaFirstPage + end, hugePages), hugePages);
        claim(pid, vma, Math.max(0, head), from, pass, moving, false);
        claim(pid, vma, end, Math.min(tail, vma.pages(pageSize)), pass, moving, false);
    }

    /**
     * Looks at the pending pages of {@code [first, last)} (at most {@link PageBatch#PAGES}): one on
     * a target of the pass (of a source that this call moved pages of, unless {@code anyTarget})
     * was taken there along with them and counts as moved; one on another node outside {@code
     * moving}, as moved away.
     */
    private void claim(int pid, Vma vma, long first, long last, MovePass pass, boolean[] moving, boolean anyTarget) {
        if (first >= last) {
            return;
        }
        PageBatch lane = lanes.lane(0);
        collect(lane, vma, first, last, pass.pending);
        queryNodes(lane, pid, lane.count, lane.status);
        for (int i = 0; i < lane.count; i++) {
            int node = lane.status(i);
            if (node < 0 || moving[node]) {
                continue;
            }
            long page = lane.page[i];
            pass.pending.clear(page);
            int source = -1;
            for (int a = 0; a < pass.nodeIdLimit && source < 0; a++) {
                if (pass.target[a] == node && (anyTarget || pass.movedFrom[a] > 0)) {
                    source = a;
                }
            }
            if (source < 0) {
                pass.movedAway++;
                continue;
            }
            pass.movedFrom[source]++;
            pass.quota[source] = Math.max(0, pass.quota[source] - 1);
            if (pass.log != null) {
                pass.log.add(pass.vmaIndex, page, 1, source, node);
            }
        }
    }

    @Override
    public void claimLeft(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {
        boolean[] moving = pass.moving;
        if (moving == null) {
            return;
        }
        synchronized (lanes) {
            for (long first = fromPage; first < toPage; first += PageBatch.PAGES) {
                claim(pid, vma, first, Math.min(toPage, first + PageBatch.PAGES), pass, moving, true);
            }
        }
    }

    /** Sleeps a few milliseconds; false, with the interrupt kept, when the thread was interrupted. */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean hasQuota(MovePass pass) {
        for (int a = 0; a < pass.nodeIdLimit; a++) {
            if (pass.target[a] >= 0 && pass.quota[a] > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decides which queried pages of a lane move: those whose source has quota left after the
     * pages planned before them ({@code planned}), to a target not known full. Sets {@code
     * source[i]} to the page's source, or -1 for a page that does not move now.
     */
    private static void plan(PageBatch lane, MovePass pass, long[] planned) {
        int[] target = pass.target;
        boolean[] moving = pass.moving;
        for (int i = 0; i < lane.count; i++) {
            int a = lane.status(i);
            long page = lane.page[i];
            lane.source[i] = -1;
            if (a < 0) {
                pass.pending.clear(page);
                continue;
            }
            if (moving != null && !moving[a]) {
                // Not on a node it could start on: the kernel moved it (NUMA balancing, a refault).
                pass.pending.clear(page);
                pass.movedAway++;
                continue;
            }
            int t = target[a];
            if (t < 0 || pass.quota[a] - planned[a] <= 0 || pass.targetFull[t]) {
                pass.left(a, page);
                continue;
            }
            planned[a]++;
            lane.source[i] = a;
        }
    }

    /** Moves the planned pages of a lane, one {@code move_pages} call per target node, and records each page's outcome. */
    private void moveLane(PageBatch lane, int pid, long vmaStart, int flags, MovePass pass) {
        int[] target = pass.target;
        boolean[] done = new boolean[pass.nodeIdLimit];
        for (int first = 0; first < lane.count; first++) {
            int s = lane.source[first];
            if (s < 0 || done[target[s]]) {
                continue;
            }
            int t = target[s];
            done[t] = true;
            int k = 0;
            for (int i = first; i < lane.count; i++) {
                int a = lane.source[i];
                if (a >= 0 && target[a] == t) {
                    lane.moveEntry[k] = i;
                    lane.movePage[k] = lane.page[i];
                    lane.moveSource[k] = a;
                    lane.address(k, vmaStart + lane.page[i] * pageSize);
                    k++;
                }
            }
            boolean full = moveToNode(lane, pid, k, t, flags);
            if (!full) {
                settleUnmoved(lane, pid, k, t, flags, pass.moving);
            }
            for (int m = 0; m < k; m++) {
                lane.outcome[lane.moveEntry[m]] = lane.status(m);
                lane.fullCall[lane.moveEntry[m]] = full;
            }
        }
    }

    /**
     * One {@code move_pages} call that moves the {@code k} pages of {@code movePage} to node {@code
     * t}; leaves each page's status (its node, or a negative errno) in {@code status}.
     *
     * @return whether the call failed with {@code ENOMEM}: the target is full
     */
    private boolean moveToNode(PageBatch lane, int pid, int k, int t, int flags) {
        for (int i = 0; i < k; i++) {
            lane.nodes.setAtIndex(JAVA_INT, i, t);
            lane.status.setAtIndex(JAVA_INT, i, PageBatch.UNTOUCHED);
        }
        boolean full = false;
        long unmoved = 0;
        try {
            unmoved = sys.movePages(lane.callState, pid, k, lane.addresses, lane.nodes, lane.status, flags);
        } catch (SyscallException e) {
            if (e.errno() != ENOMEM) {
                throw failure(e, "moving pages of process " + pid + " to node " + t, pid);
            }
            full = true;
        }
        if (full || unmoved > 0) {
            // The kernel wrote no status for the pages of the call that failed: read where they are.
            queryNodes(lane, pid, k, lane.recheck);
            for (int i = 0; i < k; i++) {
                if (lane.status(i) == PageBatch.UNTOUCHED) {
                    int node = lane.recheck.getAtIndex(JAVA_INT, i);
                    if (node == lane.moveSource[i] && !full) {
                        node = movePageAlone(lane, pid, i, flags);
                    }
                    lane.status.setAtIndex(JAVA_INT, i, node);
                }
            }
        }
        return full;
    }

    /**
     * Looks again at the pages of a move call that did not reach the target and were not refused
     * for good ({@code -EACCES}): the kernel answers {@code -EBUSY} for a page that another
     * migration holds at that moment (the balancer's, a {@code migratepages} run alongside) as for
     * a pinned one, and {@code -ENOENT} while such a migration is under way. A page now on the
     * call's target was moved by the call; one on another node the migration does not move from
     * was moved by someone else ({@link PageBatch#MOVED_AWAY}); one
     * still on its source is tried alone once more (a pinned page stays {@code -EBUSY}); one on
     * another old node stays pending ({@link PageBatch#LEFT}), to move from there; one still absent
     * after a few milliseconds is gone.
     */
    private void settleUnmoved(PageBatch lane, int pid, int k, int t, int flags, boolean @Nullable [] moving) {
        int n = 0;
        for (int i = 0; i < k; i++) {
            int s = lane.status(i);
            if (s != t && s != -EACCES) {
                lane.busyEntry[n] = i;
                lane.busyAddresses.setAtIndex(JAVA_LONG, n++, lane.address(i));
            }
        }
        if (n == 0) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            statusQuery(lane, pid, n, lane.busyAddresses, lane.busyStatus);
            boolean absent = false;
            for (int b = 0; b < n; b++) {
                absent |= lane.busyStatus.getAtIndex(JAVA_INT, b) < 0;
            }
            if (!absent || attempt == 2) {
                break;
            }
            if (!pause(1)) {
                break;
            }
        }
        for (int b = 0; b < n; b++) {
            int i = lane.busyEntry[b];
            int node = lane.busyStatus.getAtIndex(JAVA_INT, b);
            int outcome;
            if (node < 0) {
                outcome = node;
            } else if (node == t) {
                // On this call's target: the call moved it, though the kernel wrote no status for
                // it (it stopped at a page it could not migrate, or failed with ENOMEM after it).
                outcome = t;
            } else if (moving != null && !moving[node]) {
                outcome = PageBatch.MOVED_AWAY;
            } else if (node == lane.moveSource[i]) {
                outcome = lane.status(i) == -EBUSY ? moveBusyPage(lane, pid, i, flags, moving) : lane.status(i);
            } else {
                outcome = PageBatch.LEFT;
            }
            lane.status.setAtIndex(JAVA_INT, i, outcome);
        }
    }

    /**
     * Moves a page the kernel found busy, alone: a pinned page stays busy, but a page that another
     * migration has taken off the LRU list (isolated, to move it) is busy only until that migration
     * ends, which for a {@code migratepages} of a whole process can take a while. While the page is
     * off the LRU list ({@code /proc/kpageflags}, by its frame number from {@code pagemap}; both need
     * {@code CAP_SYS_ADMIN}, without which a busy page counts as pinned), it is looked at again after
     * waits that double from 2 ms, half a second in all.
     *
     * @return its status, or {@link PageBatch#MOVED_AWAY}
     */
    private int moveBusyPage(PageBatch lane, int pid, int i, int flags, boolean @Nullable [] moving) {
        int status = movePageAlone(lane, pid, i, flags);
        for (long wait = 2; status == -EBUSY && wait <= 256 && isolated(lane, pid, lane.address(i)); wait *= 2) {
            if (!pause(wait)) {
                break;
            }
            lane.hiddenAddresses.setAtIndex(JAVA_LONG, 0, lane.address(i));
            statusQuery(lane, pid, 1, lane.hiddenAddresses, lane.hiddenStatus);
            int node = lane.hiddenStatus.getAtIndex(JAVA_INT, 0);
            if (node >= 0 && moving != null && !moving[node]) {
                return PageBatch.MOVED_AWAY;
            }
            status = node == lane.moveSource[i] ? movePageAlone(lane, pid, i, flags) : node < 0 ? node : -EBUSY;
        }
        return status;
    }

    /** Whether the page at {@code address} is off the LRU lists (bit 5 of {@code /proc/kpageflags}); false when unknown. */
    private boolean isolated(PageBatch lane, int pid, long address) {
        if (!readPagemap(lane, pid, address, 1)) {
            return false;
        }
        long frame = lane.pagemap.getLong(0) & PFN_MASK;
        if (frame == 0) {
            return false;
        }
        ByteBuffer flags = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel kpageflags = FileChannel.open(KPAGEFLAGS)) {
            if (kpageflags.read(flags, frame * Long.BYTES) != Long.BYTES) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        return (flags.getLong(0) & KPF_LRU) == 0;
    }

    /**
     * Accounts the planned pages of a lane by their outcome.
     *
     * @return the highest page index moved, or -1
     */
    private static long account(PageBatch lane, MovePass pass) {
        long lastMoved = -1;
        MoveLog log = pass.log;
        for (int i = 0; i < lane.count; i++) {
            int a = lane.source[i];
            if (a < 0) {
                continue;
            }
            int t = pass.target[a];
            long page = lane.page[i];
            int s = lane.outcome[i];
            if (s == t) {
                pass.pending.clear(page);
                pass.quota[a]--;
                pass.movedFrom[a]++;
                if (log != null) {
                    log.add(pass.vmaIndex, page, 1, a, t);
                }
                lastMoved = page;
            } else if (s == PageBatch.MOVED_AWAY) {
                pass.pending.clear(page);
                pass.movedAway++;
            } else if (s == PageBatch.LEFT) {
                pass.left(a, page);
            } else if (s == -EACCES) {
                pass.pending.clear(page);
                pass.sharedFrom[a]++;
            } else if (s == -ENOENT || s == -EFAULT) {
                pass.pending.clear(page);
            } else if (s == -ENOMEM || (s >= 0 && lane.fullCall[i])) {
                pass.targetFull[t] = true;
                pass.left(a, page);
            } else {
                // -EBUSY, or still where it was after a call of its own: pinned.
                pass.pending.clear(page);
                pass.busyFrom[a]++;
            }
        }
        return lastMoved;
    }

    /**
     * Moves page {@code i} of the lane's move call alone (to the node already in {@code nodes[i]}).
     *
     * @return its status: the node it is on, or a negative errno; {@code -EBUSY} when the kernel
     *     could not migrate it
     */
    private int movePageAlone(PageBatch lane, int pid, int i, int flags) {
        MemorySegment address = lane.addresses.asSlice(i * JAVA_LONG.byteSize(), JAVA_LONG.byteSize());
        MemorySegment node = lane.nodes.asSlice(i * JAVA_INT.byteSize(), JAVA_INT.byteSize());
        MemorySegment status = lane.status.asSlice(i * JAVA_INT.byteSize(), JAVA_INT.byteSize());
        status.set(JAVA_INT, 0, PageBatch.UNTOUCHED);
        try {
            long unmoved = sys.movePages(lane.callState, pid, 1, address, node, status, flags);
            return unmoved > 0 ? -EBUSY : status.get(JAVA_INT, 0);
        } catch (SyscallException e) {
            if (e.errno() == ENOMEM) {
                return -ENOMEM;
            }
            throw failure(e, "moving a page of process " + pid, pid);
        }
    }

    /** Puts the pages of {@code [from, to)} that are in {@code pages} into the lane, with their addresses. */
    private void collect(PageBatch lane, Vma vma, long from, long to, PageSet pages) {
        int count = 0;
        long page = from;
        while (page < to) {
            int block = (int) (page >>> PageSet.BLOCK_SHIFT);
            if (pages.blockEmpty(block)) {
                page = Math.min(to, ((long) block + 1) << PageSet.BLOCK_SHIFT);
                continue;
            }
            if (pages.get(page)) {
                lane.page[count] = page;
                lane.address(count, vma.start() + page * pageSize);
                count++;
            }
            page++;
        }
        lane.count = count;
    }

    /** Writes the node of each of the lane's first {@code count} addresses (or a negative errno) to {@code into}. */
    private void queryNodes(PageBatch lane, int pid, int count, MemorySegment into) {
        if (count == 0) {
            return;
        }
        statusQuery(lane, pid, count, lane.addresses, into);
        revealHidden(lane, pid, count, into);
    }

    /** {@code move_pages(2)} without target nodes: writes the node of each of {@code count} addresses (or a negative errno). */
    private void statusQuery(PageBatch lane, int pid, int count, MemorySegment addresses, MemorySegment into) {
        try {
            sys.movePages(lane.callState, pid, count, addresses, MemorySegment.NULL, into, 0);
        } catch (SyscallException e) {
            throw failure(e, "reading where the pages of process " + pid + " are", pid);
        }
    }

    /**
     * Reads into the lane's {@code pagemap} buffer the entries from the lowest to the highest of the
     * lane's first {@code count} addresses whose status is {@code -ENOENT}.
     *
     * @return the address of the first entry read, or -1 when no page is absent or the entries
     *     cannot be read
     */
    private long pagemapOfAbsent(PageBatch lane, int pid, int count, MemorySegment statuses) {
        long low = Long.MAX_VALUE;
        long high = Long.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            if (statuses.getAtIndex(JAVA_INT, i) == -ENOENT) {
                low = Math.min(low, lane.address(i));
                high = Math.max(high, lane.address(i));
            }
        }
        if (low > high
                || (high - low) / pageSize >= PageBatch.PAGES
                || !readPagemap(lane, pid, low, (int) ((high - low) / pageSize) + 1)) {
            return -1;
        }
        return low;
    }

    /** The {@code pagemap} entry of {@code address}, from the lane's buffer read from {@code low} on. */
    private long pagemapEntry(PageBatch lane, long low, long address) {
        return lane.pagemap.getLong((int) ((address - low) / pageSize) * Long.BYTES);
    }

    /**
     * Finds the pages of a query that automatic NUMA balancing hid. The balancer makes a page's
     * table entry inaccessible ({@code PROT_NONE}) to catch the next touch (a hinting fault), and
     * kernels 6.2 to 6.4, and stable kernels that took the change (the 6.1 of the multi-node
     * guests), let {@code move_pages(2)} see such a page as not present ({@code -ENOENT}): it could
     * neither be counted nor moved. {@code /proc/<pid>/pagemap} still says present; such pages are
     * touched with {@code process_vm_readv(2)}, one byte each, so the kernel takes the hinting fault
     * and restores the entry (it may move the page to the node of the touching CPU, as the balancer
     * would), and are queried again.
     */
    private void revealHidden(PageBatch lane, int pid, int count, MemorySegment into) {
        long low = pagemapOfAbsent(lane, pid, count, into);
        if (low < 0) {
            return;
        }
        int hidden = 0;
        for (int i = 0; i < count; i++) {
            if (into.getAtIndex(JAVA_INT, i) == -ENOENT) {
                long entry = pagemapEntry(lane, low, lane.address(i));
                if (entry < 0) {
                    // Bit 63: present in memory.
                    lane.hiddenAddresses.setAtIndex(JAVA_LONG, hidden, lane.address(i));
                    lane.hiddenEntry[hidden++] = i;
                }
            }
        }
        if (hidden == 0) {
            return;
        }
        for (int from = 0; from < hidden; from += PageBatch.READ_PAGES) {
            int n = Math.min(PageBatch.READ_PAGES, hidden - from);
            for (int r = 0; r < n; r++) {
                lane.readFrom(r, lane.hiddenAddresses.getAtIndex(JAVA_LONG, from + r), 1);
            }
            MemorySegment local = lane.readInto(n);
            try {
                sys.processVmReadv(lane.callState, pid, local, 1, lane.remoteFrom(0), n);
            } catch (SyscallException e) {
                // Gone meanwhile, or unreadable: the second query tells.
            }
        }
        statusQuery(lane, pid, hidden, lane.hiddenAddresses, lane.hiddenStatus);
        for (int h = 0; h < hidden; h++) {
            into.setAtIndex(JAVA_INT, lane.hiddenEntry[h], lane.hiddenStatus.getAtIndex(JAVA_INT, h));
        }
    }

    /**
     * Waits a little for pending pages that are in transit. A page that another migration is moving
     * at this moment (the balancer's, a {@code migratepages} alongside) has a migration entry for a
     * page table entry: {@code move_pages} reads it as not present, and {@code pagemap} as swapped
     * (bit 62). Such pages are queried again, so that they are moved or found moved rather than
     * counted as gone: 3 times 1 ms apart while any reads as swapped, then, while one still has a
     * migration entry ({@code pagemap} gives the entry's swap type, and migration entries have types
     * no swap device has, {@value #FIRST_SPECIAL_SWAP_TYPE} and up), after waits that double from
     * 2 ms, about 2 s in all: another tool's migration of a large batch holds its entries that long
     * under load (126 ms in all was seen too short, under emulation, to find one page moved). A page
     * really gone ({@code pagemap} 0) costs no wait, one really swapped out 3 ms.
     */
    private void awaitInTransit(PageBatch lane, int pid) {
        long wait = 1;
        for (int attempt = 0; wait <= 1024; attempt++) {
            long low = pagemapOfAbsent(lane, pid, lane.count, lane.status);
            if (low < 0) {
                return;
            }
            int n = 0;
            boolean migrating = false;
            for (int i = 0; i < lane.count; i++) {
                long entry = lane.status(i) == -ENOENT ? pagemapEntry(lane, low, lane.address(i)) : 0;
                if ((entry & SWAPPED) != 0) {
                    migrating |= (entry & SWAP_TYPE) >= FIRST_SPECIAL_SWAP_TYPE;
                    lane.busyEntry[n] = i;
                    lane.busyAddresses.setAtIndex(JAVA_LONG, n++, lane.address(i));
                }
            }
            if (n == 0 || (attempt >= 3 && !migrating)) {
                return;
            }
            if (!pause(wait)) {
                return;
            }
            wait = attempt < 2 ? 1 : wait * 2;
            statusQuery(lane, pid, n, lane.busyAddresses, lane.busyStatus);
            for (int b = 0; b < n; b++) {
                lane.status.setAtIndex(JAVA_INT, lane.busyEntry[b], lane.busyStatus.getAtIndex(JAVA_INT, b));
            }
        }
    }

    /** Reads {@code entries} entries of the process's {@code pagemap} from {@code address} on; false when it cannot. */
    private boolean readPagemap(PageBatch lane, int pid, long address, int entries) {
        ByteBuffer buffer = lane.pagemap.clear().limit(entries * Long.BYTES);
        try (FileChannel pagemap =
                FileChannel.open(PROC.resolve(Integer.toString(pid)).resolve("pagemap"))) {
            long position = address / pageSize * Long.BYTES;
            while (buffer.hasRemaining()) {
                if (pagemap.read(buffer, position + buffer.position()) < 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            // Gone, or not ours to read: the pages stay as the query saw them.
            return false;
        }
    }

    /**
     * Sets the spans of the round that starts at page {@code first} of the VMA, one per lane (fewer
     * at the end of the range), and returns how many. Spans end on multiples of {@value
     * PageBatch#PAGES} pages of virtual address, so that a transparent huge page (2 MiB, aligned
     * in the address space) never lies across two spans: two lanes moving parts of one huge page
     * at once would find it busy with the other's move.
     */
    private int spans(Vma vma, long first, long toPage) {
        long vmaFirstPage = vma.start() / pageSize;
        int n = 0;
        long start = first;
        while (n < lanes.size() && start < toPage) {
            long end = Math.min(toPage, start + PageBatch.PAGES - Math.floorMod(vmaFirstPage + start, PageBatch.PAGES));
            PageBatch lane = lanes.lane(n++);
            lane.spanFirst = start;
            lane.spanEnd = end;
            start = end;
        }
        return n;
    }

    /**
     * The sum over the pages of the set of a term of (address, content hash), where the content of
     * a page that is no longer resident is 0. Pages are read with {@code process_vm_readv(2)}, up
     * to {@value PageBatch#READ_PAGES} a call, so reading never faults in a page; a resident page
     * that cannot be read (made inaccessible with {@code mprotect}) counts as content 0 too. Each
     * lane reads and hashes its own spans; the sum does not depend on the order.
     */
    @Override
    public long digest(int pid, Vma vma, long fromPage, long toPage, PageSet pages) {
        synchronized (lanes) {
            long sum = 0;
            for (long first = fromPage; first < toPage; ) {
                int n = spans(vma, first, toPage);
                first = lanes.lane(n - 1).spanEnd;
                lanes.run(n, (lane, j) -> {
                    collect(lane, vma, lane.spanFirst, lane.spanEnd, pages);
                    queryNodes(lane, pid, lane.count, lane.status);
                    lane.sum = digestLane(lane, pid);
                });
                for (int j = 0; j < n; j++) {
                    sum += lanes.lane(j).sum;
                }
            }
            return sum;
        }
    }

    private long digestLane(PageBatch lane, int pid) {
        int count = lane.count;
        int i = 0;
        while (i < count) {
            int reads = 0;
            while (i < count && reads < PageBatch.READ_PAGES) {
                lane.content[i] = 0;
                if (lane.status(i) >= 0) {
                    lane.readEntry[reads] = i;
                    lane.readFrom(reads++, lane.address(i));
                }
                i++;
            }
            int from = 0;
            while (from < reads) {
                int read = read(lane, pid, from, reads - from);
                for (int r = 0; r < read; r++) {
                    lane.content[lane.readEntry[from + r]] = contentHash(lane, r);
                }
                // The page after the last one read could not be read: it keeps content 0.
                from += read + 1;
            }
        }
        long sum = 0;
        for (int j = 0; j < count; j++) {
            sum += DIGEST.term(lane.address(j), lane.content[j]);
        }
        return sum;
    }

    /**
     * Reads {@code n} remote pages from remote vector {@code first} on into the lane's read buffer;
     * returns how many were read before one failed.
     */
    private int read(PageBatch lane, int pid, int first, int n) {
        MemorySegment local = lane.readInto((long) n * pageSize);
        try {
            long bytes = sys.processVmReadv(lane.callState, pid, local, 1, lane.remoteFrom(first), n);
            return (int) (bytes / pageSize);
        } catch (SyscallException e) {
            if (e.errno() == EFAULT) {
                return 0;
            }
            throw failure(e, "reading the memory of process " + pid, pid);
        }
    }

    /** A hash of the bytes of page {@code r} of the lane's read buffer; never 0, which stands for absent. */
    private long contentHash(PageBatch lane, int r) {
        // One bulk copy into a Java array, then a plain loop: far cheaper than an access through
        // the segment per word where the JIT cannot make those cheap (C1, as under emulation).
        long[] words = lane.words;
        MemorySegment.copy(lane.data(), JAVA_LONG, (long) r * pageSize, words, 0, words.length);
        return PageDigest.contentHash(words);
    }

    // ---- reading /proc and /sys ----

    /** A file of {@code /proc/<pid>}, or empty when the process does not exist. */
    private Optional<String> procText(int pid, String name) {
        try {
            return Optional.of(
                    Files.readString(PROC.resolve(Integer.toString(pid)).resolve(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw procFailure(pid, name, e);
        }
    }

    /** The lines of a file of {@code /proc/<pid>}; ESRCH when the process is gone, EPERM when it may not be read. */
    private List<String> procLines(int pid, String name) {
        try {
            return Files.readAllLines(PROC.resolve(Integer.toString(pid)).resolve(name));
        } catch (IOException e) {
            throw procFailure(pid, name, e);
        }
    }

    private RuntimeException procFailure(int pid, String name, IOException e) {
        if (!Files.exists(PROC.resolve(Integer.toString(pid))) || e instanceof NoSuchFileException) {
            return new BackendException(Errno.ESRCH, "no process " + pid + " on host " + hostName);
        }
        if (e instanceof AccessDeniedException) {
            return new BackendException(
                    Errno.EPERM,
                    "no permission to read /proc/" + pid + "/" + name
                            + ": the agent needs ptrace access to the process (same user, or CAP_SYS_PTRACE)");
        }
        return new UncheckedIOException("cannot read /proc/" + pid + "/" + name, e);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The backend error for a failed system call about a process. */
    private BackendException failure(SyscallException e, String what, int pid) {
        int number = e.errno();
        if (number == Errno.ESRCH.number()) {
            return new BackendException(Errno.ESRCH, what + ": no process " + pid + " on host " + hostName);
        }
        if (number == Errno.EPERM.number()) {
            return new BackendException(
                    Errno.EPERM,
                    what + ": not permitted; another user's process needs ptrace access to it (CAP_SYS_PTRACE),"
                            + " and moving shared pages (MPOL_MF_MOVE_ALL) needs CAP_SYS_NICE");
        }
        if (number == EACCES) {
            return new BackendException(Errno.EINVAL, what + ": a target node is outside the process's cpuset");
        }
        for (Errno errno : Errno.values()) {
            if (errno.number() == number) {
                return new BackendException(errno, what + ": " + errno);
            }
        }
        return new BackendException(Errno.EINVAL, what + ": errno " + number);
    }
}
