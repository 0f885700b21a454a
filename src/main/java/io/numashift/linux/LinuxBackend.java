package io.numashift.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.FileInfo;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageDigest;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import io.numashift.core.backend.Vma;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
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
 * <p>Thread-safe: the native page buffers are used under their lock.
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

    private final String hostName;
    private final Syscalls sys;
    private final int pageSize;
    private final CpusetHierarchy cpusets;
    private final PageBatch batch;

    LinuxBackend(String hostName, Syscalls sys, CpusetHierarchy cpusets) {
        this.hostName = hostName;
        this.sys = sys;
        this.pageSize = sys.pageSize();
        this.cpusets = cpusets;
        this.batch = new PageBatch(pageSize);
    }

    /**
     * The backend of this machine.
     *
     * @param hostName the name the host has in the service
     * @throws UnsupportedOperationException off Linux, or when the JVM was started without {@code
     *     --enable-native-access=ALL-UNNAMED} and denies native access (the message says so)
     */
    public static LinuxBackend open(String hostName) {
        return new LinuxBackend(hostName, Syscalls.link(), CpusetHierarchy.detect(Mount.readAll()));
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
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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

    @Override
    public void census(int pid, Vma vma, long fromPage, long toPage, Census census) {
        synchronized (batch) {
            for (long first = fromPage; first < toPage; first += PageBatch.PAGES) {
                int count = (int) Math.min(PageBatch.PAGES, toPage - first);
                for (int i = 0; i < count; i++) {
                    batch.address(i, vma.start() + (first + i) * pageSize);
                }
                queryNodes(pid, count, batch.status);
                for (int i = 0; i < count; i++) {
                    int node = batch.status(i);
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
        }
    }

    /**
     * Moves the pending pages of the range in {@code move_pages(2)} calls of up to {@value
     * PageBatch#PAGES} pages, one call per target node. Per page status: the target node (moved),
     * {@code -EBUSY} (pinned: failed), {@code -EACCES} (mapped by another process without {@code
     * MPOL_MF_MOVE_ALL}: skipped as shared), {@code -ENOENT} or {@code -EFAULT} (gone). A call that
     * fails with {@code ENOMEM} marks its target full; one that leaves pages unmoved (the kernel
     * gave up on a page it could not migrate, and stopped there) is repeated page by page to find
     * the pinned ones. Pages whose call failed are read back, since the kernel writes no status
     * for them.
     */
    @Override
    public long movePass(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {
        if (!hasQuota(pass)) {
            return fromPage;
        }
        synchronized (batch) {
            int flags = pass.moveShared ? Syscalls.MPOL_MF_MOVE_ALL : Syscalls.MPOL_MF_MOVE;
            long page = fromPage;
            while (page < toPage) {
                int count = 0;
                while (page < toPage && count < PageBatch.PAGES) {
                    int block = (int) (page >>> PageSet.BLOCK_SHIFT);
                    if (pass.pending.blockEmpty(block)) {
                        page = Math.min(toPage, ((long) block + 1) << PageSet.BLOCK_SHIFT);
                        continue;
                    }
                    if (pass.pending.get(page)) {
                        batch.page[count] = page;
                        batch.address(count, vma.start() + page * pageSize);
                        count++;
                    }
                    page++;
                }
                if (count == 0) {
                    continue;
                }
                queryNodes(pid, count, batch.status);
                long lastMoved = moveBatch(pid, vma.start(), count, flags, pass);
                if (!hasQuota(pass)) {
                    return lastMoved + 1;
                }
            }
            return toPage;
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
     * Moves the queried pages of the batch that their source's quota allows, one {@code
     * move_pages} call per target node.
     *
     * @return the highest page index moved, or -1
     */
    private long moveBatch(int pid, long vmaStart, int count, int flags, MovePass pass) {
        int[] target = pass.target;
        long[] planned = new long[pass.nodeIdLimit];
        boolean[] targets = new boolean[pass.nodeIdLimit];
        for (int i = 0; i < count; i++) {
            int a = batch.status(i);
            long page = batch.page[i];
            batch.source[i] = -1;
            if (a < 0) {
                pass.pending.clear(page);
                continue;
            }
            int t = target[a];
            if (t < 0 || pass.quota[a] - planned[a] <= 0 || pass.targetFull[t]) {
                pass.left(a, page);
                continue;
            }
            planned[a]++;
            targets[t] = true;
            batch.source[i] = a;
        }
        long lastMoved = -1;
        for (int t = 0; t < pass.nodeIdLimit; t++) {
            if (!targets[t]) {
                continue;
            }
            int k = 0;
            for (int i = 0; i < count; i++) {
                int a = batch.source[i];
                if (a >= 0 && target[a] == t) {
                    batch.movePage[k] = batch.page[i];
                    batch.moveSource[k] = a;
                    batch.address(k, vmaStart + batch.page[i] * pageSize);
                    k++;
                }
            }
            lastMoved = Math.max(lastMoved, moveToNode(pid, k, t, flags, pass));
        }
        return lastMoved;
    }

    /**
     * One {@code move_pages} call that moves the {@code k} pages of {@code movePage} to node {@code
     * t}, and its accounting.
     *
     * @return the highest page index moved, or -1
     */
    private long moveToNode(int pid, int k, int t, int flags, MovePass pass) {
        for (int i = 0; i < k; i++) {
            batch.nodes.setAtIndex(JAVA_INT, i, t);
            batch.status.setAtIndex(JAVA_INT, i, PageBatch.UNTOUCHED);
        }
        boolean full = false;
        long unmoved = 0;
        try {
            unmoved = sys.movePages(batch.callState, pid, k, batch.addresses, batch.nodes, batch.status, flags);
        } catch (SyscallException e) {
            if (e.errno() != ENOMEM) {
                throw failure(e, "moving pages of process " + pid + " to node " + t, pid);
            }
            full = true;
        }
        if (full || unmoved > 0) {
            // The kernel wrote no status for the pages of the call that failed: read where they are.
            queryNodes(pid, k, batch.recheck);
            for (int i = 0; i < k; i++) {
                if (batch.status(i) == PageBatch.UNTOUCHED) {
                    int node = batch.recheck.getAtIndex(JAVA_INT, i);
                    if (node == batch.moveSource[i] && !full) {
                        node = movePageAlone(pid, i, flags);
                    }
                    batch.status.setAtIndex(JAVA_INT, i, node);
                }
            }
        }
        long lastMoved = -1;
        MoveLog log = pass.log;
        for (int i = 0; i < k; i++) {
            int a = batch.moveSource[i];
            long page = batch.movePage[i];
            int s = batch.status(i);
            if (s == t) {
                pass.pending.clear(page);
                pass.quota[a]--;
                pass.movedFrom[a]++;
                if (log != null) {
                    log.add(pass.vmaIndex, page, 1, a, t);
                }
                lastMoved = page;
            } else if (s == -EACCES) {
                pass.pending.clear(page);
                pass.sharedFrom[a]++;
            } else if (s == -ENOENT || s == -EFAULT) {
                pass.pending.clear(page);
            } else if (s == -ENOMEM || (s >= 0 && full)) {
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
     * Moves page {@code i} of the batch alone (to the node already in {@code nodes[i]}).
     *
     * @return its status: the node it is on, or a negative errno; {@code -EBUSY} when the kernel
     *     could not migrate it
     */
    private int movePageAlone(int pid, int i, int flags) {
        MemorySegment address = batch.addresses.asSlice(i * JAVA_LONG.byteSize(), JAVA_LONG.byteSize());
        MemorySegment node = batch.nodes.asSlice(i * JAVA_INT.byteSize(), JAVA_INT.byteSize());
        MemorySegment status = batch.status.asSlice(i * JAVA_INT.byteSize(), JAVA_INT.byteSize());
        status.set(JAVA_INT, 0, PageBatch.UNTOUCHED);
        try {
            long unmoved = sys.movePages(batch.callState, pid, 1, address, node, status, flags);
            return unmoved > 0 ? -EBUSY : status.get(JAVA_INT, 0);
        } catch (SyscallException e) {
            if (e.errno() == ENOMEM) {
                return -ENOMEM;
            }
            throw failure(e, "moving a page of process " + pid, pid);
        }
    }

    /** Writes the node of each of the first {@code count} batch addresses (or a negative errno) to {@code into}. */
    private void queryNodes(int pid, int count, MemorySegment into) {
        try {
            sys.movePages(batch.callState, pid, count, batch.addresses, MemorySegment.NULL, into, 0);
        } catch (SyscallException e) {
            throw failure(e, "reading where the pages of process " + pid + " are", pid);
        }
    }

    /**
     * The sum over the pages of the set of a term of (address, content hash), where the content of
     * a page that is no longer resident is 0. Pages are read with {@code process_vm_readv(2)}, so
     * reading never faults in a page; a resident page that cannot be read (made inaccessible with
     * {@code mprotect}) counts as content 0 too.
     */
    @Override
    public long digest(int pid, Vma vma, long fromPage, long toPage, PageSet pages) {
        synchronized (batch) {
            long sum = 0;
            long page = fromPage;
            while (page < toPage) {
                int count = 0;
                while (page < toPage && count < PageBatch.PAGES) {
                    int block = (int) (page >>> PageSet.BLOCK_SHIFT);
                    if (pages.blockEmpty(block)) {
                        page = Math.min(toPage, ((long) block + 1) << PageSet.BLOCK_SHIFT);
                        continue;
                    }
                    if (pages.get(page)) {
                        batch.address(count++, vma.start() + page * pageSize);
                    }
                    page++;
                }
                if (count > 0) {
                    queryNodes(pid, count, batch.status);
                    sum += digestBatch(pid, count);
                }
            }
            return sum;
        }
    }

    private long digestBatch(int pid, int count) {
        int i = 0;
        while (i < count) {
            int reads = 0;
            while (i < count && reads < PageBatch.READ_PAGES) {
                batch.content[i] = 0;
                if (batch.status(i) >= 0) {
                    batch.readEntry[reads] = i;
                    batch.readFrom(reads++, batch.address(i), pageSize);
                }
                i++;
            }
            int from = 0;
            while (from < reads) {
                int read = read(pid, from, reads - from);
                for (int r = 0; r < read; r++) {
                    batch.content[batch.readEntry[from + r]] = contentHash(r);
                }
                // The page after the last one read could not be read: it keeps content 0.
                from += read + 1;
            }
        }
        long sum = 0;
        for (int j = 0; j < count; j++) {
            sum += DIGEST.term(batch.address(j), batch.content[j]);
        }
        return sum;
    }

    /**
     * Reads {@code n} remote pages from remote vector {@code first} on into the read buffer;
     * returns how many were read before one failed.
     */
    private int read(int pid, int first, int n) {
        batch.readInto((long) n * pageSize);
        try {
            long bytes = sys.processVmReadv(batch.callState, pid, batch.localIov, 1, batch.remoteFrom(first), n);
            return (int) (bytes / pageSize);
        } catch (SyscallException e) {
            if (e.errno() == EFAULT) {
                return 0;
            }
            throw failure(e, "reading the memory of process " + pid, pid);
        }
    }

    /** A hash of the bytes of page {@code r} of the read buffer; never 0, which stands for absent. */
    private long contentHash(int r) {
        // One bulk copy into a Java array, then a plain loop: far cheaper than an access through
        // the segment per word where the JIT cannot make those cheap (C1, as under emulation).
        long[] words = batch.words;
        MemorySegment.copy(batch.data, JAVA_LONG, (long) r * pageSize, words, 0, words.length);
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
