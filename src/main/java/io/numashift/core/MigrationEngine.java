package io.numashift.core;

import io.numashift.core.MigrationResult.Fallback;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.MigrationResult.VmaAction;
import io.numashift.core.MigrationResult.VmaOutcome;
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
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.PolicyMode;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import io.numashift.core.backend.Vma;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Performs page migrations on one host as docs/migration.md describes them: the checks in their
 * order (§2), the policy remapping (§3), the per-page rules (§4), capacity-aware ordering with
 * fallback and out-of-memory handling and rollback (§5), suspension, cancellation at batch
 * boundaries (batches bounded in address space and in time, §6.5) and the read-back (§6) that the
 * result reports (§7).
 *
 * <p>Not thread-safe: one engine runs one migration at a time on its backend.
 */
public final class MigrationEngine {

    /**
     * The most address space a batch covers by default: one page-set block, which backends can
     * move whole (batches end at multiples of their span). Batches are also bounded in time: each
     * covers at most as many pages still to move as the host moves in about a quarter of a second,
     * by its known pace or by the time of the batches before (see {@code BatchBudget}), so on a
     * slow host they are much smaller.
     */
    public static final int DEFAULT_BATCH_PAGES = PageSet.BLOCK_PAGES;

    private final NumaBackend backend;
    private final BatchBudget budget;
    private final LongSupplier nanoTime;

    public MigrationEngine(NumaBackend backend) {
        this(backend, DEFAULT_BATCH_PAGES);
    }

    /** An engine whose batches cover at most {@code batchPages} pages of address space. */
    public MigrationEngine(NumaBackend backend, int batchPages) {
        this(backend, batchPages, System::nanoTime);
    }

    /**
     * An engine that times its batches with {@code nanoTime} (a monotonic clock in nanoseconds,
     * like {@link System#nanoTime()}), for tests and simulations that keep their own time.
     */
    public MigrationEngine(NumaBackend backend, int batchPages, LongSupplier nanoTime) {
        this(backend, new BatchBudget(batchPages, backend.knownPagesPerSecond()), nanoTime);
    }

    MigrationEngine(NumaBackend backend, BatchBudget budget, LongSupplier nanoTime) {
        this.backend = backend;
        this.budget = budget;
        this.nanoTime = nanoTime;
    }

    public NumaBackend backend() {
        return backend;
    }

    /** Migrates one process alone. */
    public MigrationResult migrate(MigrationRequest request) {
        return migrate(request, JobScope.single(request.pid()), MigrationMonitor.NONE);
    }

    /**
     * Migrates the given processes of one job one after another, in ascending pid order, sharing
     * one {@link JobScope}. Once cancellation is requested, the processes not yet started end
     * {@code CANCELLED} untouched.
     */
    public List<MigrationResult> migrateAll(List<Integer> pids, MigrationRequest template, MigrationMonitor monitor) {
        List<Integer> ordered = pids.stream().distinct().sorted().toList();
        JobScope scope = new JobScope(new LinkedHashSet<>(ordered));
        List<MigrationResult> results = new ArrayList<>();
        for (int pid : ordered) {
            if (monitor.cancelRequested()) {
                results.add(MigrationResult.cancelledBeforeStart(pid));
            } else {
                results.add(migrate(template.withPid(pid), scope, monitor));
            }
        }
        return results;
    }

    /** Migrates one process of a job. */
    public MigrationResult migrate(MigrationRequest request, JobScope scope, MigrationMonitor monitor) {
        int pid = request.pid();
        Topology topology = backend.topology();
        Optional<MigrationRequest.Invalid> invalid = request.invalid(topology.pageSize());
        if (invalid.isPresent()) {
            return MigrationResult.refused(pid, Errno.EINVAL, invalid.get().message());
        }
        if (!request.privileged()) {
            return MigrationResult.refused(pid, Errno.EPERM, "the caller does not hold the migrate privilege");
        }
        for (int node : concat(request.oldNodes(), request.newNodes())) {
            Optional<Node> found = topology.node(node);
            if (found.isEmpty()) {
                return MigrationResult.refused(
                        pid, Errno.ENODEV, "node " + node + " does not exist on host " + backend.hostName());
            }
            if (found.get().capacityPages() <= 0) {
                return MigrationResult.refused(pid, Errno.ENODEV, "node " + node + " has no memory");
            }
        }
        Optional<ProcessInfo> process;
        try {
            process = backend.process(pid);
        } catch (BackendException e) {
            // The host refuses to show the process (EPERM without ptrace access): nothing changed.
            return MigrationResult.refused(pid, e.errno(), e.getMessage());
        }
        if (process.isEmpty()) {
            return MigrationResult.refused(pid, Errno.ESRCH, "no process " + pid + " on host " + backend.hostName());
        }
        String newCpuset = request.options().newCpuset();
        if (newCpuset != null && backend.cpuset(newCpuset).isEmpty()) {
            return MigrationResult.refused(
                    pid, Errno.EINVAL, "cpuset " + newCpuset + " does not exist on host " + backend.hostName());
        }
        String cpusetPath = newCpuset != null ? newCpuset : process.get().cpuset();
        if (cpusetPath != null) {
            Optional<Cpuset> cpuset = backend.cpuset(cpusetPath);
            if (cpuset.isPresent()) {
                for (int node : request.newNodes()) {
                    if (!cpuset.get().mems().contains(node)) {
                        return MigrationResult.refused(
                                pid,
                                Errno.EINVAL,
                                "node " + node + " is not in the mems "
                                        + cpuset.get().mems() + " of cpuset " + cpusetPath);
                    }
                }
            }
        }
        return new Run(request, scope, monitor, topology, process.get()).execute();
    }

    private static List<Integer> concat(List<Integer> a, List<Integer> b) {
        List<Integer> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** One VMA range and what the migration decided for it. */
    private record Unit(
            int vmaIndex,
            Vma vma,
            long fromPage,
            long toPage,
            @Nullable SkipReason reason,
            long base) {
        long end() {
            return base + (toPage - fromPage);
        }
    }

    /** One migration in progress: its state from the checks to the read-back. */
    private final class Run {
        private final MigrationRequest request;
        private final MigrationOptions options;
        private final JobScope scope;
        private final MigrationMonitor monitor;
        private final Topology topology;
        private final ProcessInfo process;
        private final int pid;
        private final int n;
        private final int[] target;
        private final boolean[] moving;
        private final Map<Integer, Integer> mapping = new HashMap<>();

        private final List<Vma> vmas = new ArrayList<>();
        private final List<Unit> units = new ArrayList<>();
        private final List<Unit> movable = new ArrayList<>();
        private final Map<Integer, PageSet> resident = new HashMap<>();
        private final Map<Integer, PageSet> pending = new HashMap<>();

        private long scanned;
        private long notPresent;
        private final long[] placementBefore;
        private final long[] toMove;
        private final EnumMap<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
        private final EnumMap<Errno, Long> failed = new EnumMap<>(Errno.class);
        private final long[] moved;
        private final long[][] fallbacks;
        private long pagesToMove;
        private long pagesDone;
        private long vanished;
        private final List<MigrationWarning> warnings = new ArrayList<>();
        private @Nullable MoveLog log;

        private MemoryPolicy policyAfter;
        private final List<Runnable> undo = new ArrayList<>();

        Run(
                MigrationRequest request,
                JobScope scope,
                MigrationMonitor monitor,
                Topology topology,
                ProcessInfo process) {
            this.request = request;
            this.options = request.options();
            this.scope = scope;
            this.monitor = monitor;
            this.topology = topology;
            this.process = process;
            this.pid = request.pid();
            this.n = topology.nodeIdLimit();
            this.target = new int[n];
            this.moving = new boolean[n];
            Arrays.fill(target, -1);
            for (int i = 0; i < request.oldNodes().size(); i++) {
                int from = request.oldNodes().get(i);
                int to = request.newNodes().get(i);
                mapping.put(from, to);
                if (from != to) {
                    target[from] = to;
                    moving[from] = true;
                }
            }
            this.placementBefore = new long[n];
            this.toMove = new long[n];
            this.moved = new long[n * n];
            this.fallbacks = new long[n][n];
            this.policyAfter = process.policy();
        }

        MigrationResult execute() {
            return options.dryRun() ? dryRun() : perform();
        }

        private MigrationResult dryRun() {
            policyAfter = remappedProcessPolicy();
            placeCpu(false);
            scan(false);
            long[] free = new long[n];
            for (Node node : topology.nodes()) {
                free[node.id()] = node.freePages();
            }
            Scheduler scheduler = new Scheduler(target, toMove, topology, request.newNodes());
            MigrationStatus status = MigrationStatus.SUCCEEDED;
            Errno errno = null;
            String message = null;
            while (true) {
                Scheduler.Step step = scheduler.next(free);
                if (step instanceof Scheduler.Done) {
                    break;
                }
                if (step instanceof Scheduler.OutOfMemory) {
                    status = MigrationStatus.FAILED;
                    errno = Errno.ENOMEM;
                    message = outOfMemoryMessage();
                    addFailed(Errno.ENOMEM, scheduler.totalPending());
                    break;
                }
                Scheduler.Moves moves = (Scheduler.Moves) step;
                for (int a = 0; a < n; a++) {
                    long q = moves.quota()[a];
                    if (q > 0) {
                        int to = moves.target()[a];
                        moved[a * n + to] += q;
                        if (moves.isFallback(a)) {
                            fallbacks[moves.intended()[a]][to] += q;
                        }
                        free[to] -= q;
                        free[a] += q;
                        scheduler.done(a, q);
                    }
                }
            }
            if (status == MigrationStatus.SUCCEEDED && failed.getOrDefault(Errno.EBUSY, 0L) > 0) {
                status = MigrationStatus.PARTIAL;
            }
            long[] after = placementBefore.clone();
            long total = 0;
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    long pages = moved[a * n + b];
                    after[a] -= pages;
                    after[b] += pages;
                    total += pages;
                }
            }
            double estimate = total * backend.microsPerPage() / 1_000_000.0;
            return result(status, errno, message, after, 0, null, null, 0, 0, estimate);
        }

        /**
         * Stops the process when asked, migrates it, and resumes it whatever happened, after the
         * read-back and the digest: they see what the migration left, not what the process did
         * once it ran again. A process that cannot be stopped (it exited meanwhile, or may not be
         * signalled) fails the migration with the host's errno before anything changed; one that
         * cannot be resumed keeps its result, with the warning {@code PROCESS_NOT_RESUMED} unless
         * it is simply gone.
         */
        private MigrationResult perform() {
            if (!options.suspend() || process.stopped()) {
                return migrate();
            }
            try {
                backend.stop(pid);
            } catch (BackendException e) {
                return MigrationResult.refused(pid, e.errno(), "could not stop the process: " + e.getMessage());
            }
            MigrationResult result;
            try {
                result = migrate();
            } catch (RuntimeException e) {
                resume();
                throw e;
            }
            return resume() ? result : result.withWarning(MigrationWarning.PROCESS_NOT_RESUMED);
        }

        /** Resumes the process this migration stopped; false when it is there but stays stopped. */
        private boolean resume() {
            try {
                backend.resume(pid);
                return true;
            } catch (BackendException e) {
                return e.errno() == Errno.ESRCH;
            }
        }

        private MigrationResult migrate() {
            MigrationStatus status = MigrationStatus.SUCCEEDED;
            Errno errno = null;
            String message = null;
            long rolledBack = 0;
            long rollbackFailed = 0;
            String digestBefore = null;
            try {
                changeCpuset();
                remapPolicies();
                placeCpu(true);
                if (options.onFailure() == OnFailure.ROLLBACK) {
                    log = new MoveLog();
                }
                scan(true);
                digestBefore = hex(digest());
                Outcome outcome = moveAll();
                switch (outcome) {
                    case COMPLETED -> {
                        if (failed.getOrDefault(Errno.EBUSY, 0L) > 0) {
                            status = MigrationStatus.PARTIAL;
                        }
                    }
                    case OUT_OF_MEMORY -> {
                        status = MigrationStatus.FAILED;
                        errno = Errno.ENOMEM;
                        message = outOfMemoryMessage();
                    }
                    case CANCELLED -> {
                        status = MigrationStatus.CANCELLED;
                        message = "cancelled after " + pagesDone + " of " + pagesToMove + " pages";
                    }
                }
            } catch (BackendException e) {
                status = MigrationStatus.FAILED;
                errno = e.errno();
                message = e.getMessage();
            } finally {
                if (status != MigrationStatus.SUCCEEDED
                        && status != MigrationStatus.PARTIAL
                        && options.onFailure() == OnFailure.ROLLBACK) {
                    long[] counts = rollback();
                    rolledBack = counts[0];
                    rollbackFailed = counts[1];
                }
            }
            long[] after = new long[n];
            long left = 0;
            String digestAfter = null;
            try {
                left = readBack(after);
                digestAfter = digestBefore == null ? null : hex(digest());
            } catch (BackendException e) {
                // The process went away after the moves: report what is known.
                Arrays.fill(after, 0);
            }
            if (status == MigrationStatus.CANCELLED && options.onFailure() != OnFailure.ROLLBACK) {
                left += remainingPending();
            }
            if (status == MigrationStatus.SUCCEEDED && left > 0) {
                status = MigrationStatus.PARTIAL;
                message = left + " pages are still on old nodes";
            }
            return result(
                    status, errno, message, after, left, digestBefore, digestAfter, rolledBack, rollbackFailed, null);
        }

        // ---- before any page moves: cpuset, policies, CPU ----

        private void changeCpuset() {
            String newCpuset = options.newCpuset();
            String old = process.cpuset();
            if (newCpuset != null && !newCpuset.equals(old)) {
                backend.moveToCpuset(pid, newCpuset);
                if (old != null) {
                    undo.add(() -> backend.moveToCpuset(pid, old));
                }
            }
        }

        private MemoryPolicy remappedProcessPolicy() {
            return request.range() == null ? process.policy().remap(mapping) : process.policy();
        }

        private void remapPolicies() {
            MemoryPolicy before = process.policy();
            policyAfter = remappedProcessPolicy();
            if (!policyAfter.equals(before)) {
                if (applyPolicy(() -> backend.setPolicy(pid, policyAfter))) {
                    undo.add(() -> backend.setPolicy(pid, before));
                } else {
                    policyAfter = before;
                }
            }
            for (Vma vma : backend.vmas(pid)) {
                long start = clipStart(vma);
                long end = clipEnd(vma);
                MemoryPolicy own = vma.policy();
                if (start >= end || own == null) {
                    continue;
                }
                MemoryPolicy remapped = own.remap(mapping);
                if (!remapped.equals(own) && applyPolicy(() -> backend.setVmaPolicy(pid, start, end, remapped))) {
                    undo.add(() -> backend.setVmaPolicy(pid, start, end, own));
                }
            }
        }

        /**
         * Applies a policy change; false, with the warning {@code POLICY_NOT_REMAPPED}, when the
         * backend cannot change policies of another process ({@code EOPNOTSUPP}).
         */
        private boolean applyPolicy(Runnable change) {
            try {
                change.run();
                return true;
            } catch (BackendException e) {
                if (e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                if (!warnings.contains(MigrationWarning.POLICY_NOT_REMAPPED)) {
                    warnings.add(MigrationWarning.POLICY_NOT_REMAPPED);
                }
                return false;
            }
        }

        /** Moves the process to a CPU of a new node (with migrateCpus), or warns if it allocates on an old one. */
        private void placeCpu(boolean apply) {
            Optional<Node> cpuNode = topology.nodeOfCpu(process.cpu());
            if (cpuNode.isEmpty() || !moving[cpuNode.get().id()]) {
                return;
            }
            if (options.migrateCpus()) {
                int cpu = cpuNear(target[cpuNode.get().id()]);
                if (cpu >= 0) {
                    if (apply) {
                        int old = process.cpu();
                        backend.moveToCpu(pid, cpu);
                        undo.add(() -> backend.moveToCpu(pid, old));
                    }
                    return;
                }
            }
            if (process.policy().mode() == PolicyMode.DEFAULT) {
                warnings.add(MigrationWarning.CPU_ON_OLD_NODE);
            }
        }

        /** A CPU of the node, or of the nearest node in newNodes that has CPUs; -1 if none. */
        private int cpuNear(int node) {
            List<Integer> allowed = allowedCpus();
            return request.newNodes().stream()
                    .distinct()
                    .sorted(Comparator.<Integer>comparingInt(x -> x == node ? -1 : topology.distance(node, x))
                            .thenComparingInt(x -> x))
                    .flatMap(x -> topology.node(x).stream())
                    .flatMap(x -> x.cpus().stream())
                    .filter(cpu -> allowed.isEmpty() || allowed.contains(cpu))
                    .findFirst()
                    .orElse(-1);
        }

        private List<Integer> allowedCpus() {
            String path = options.newCpuset() != null ? options.newCpuset() : process.cpuset();
            if (path == null) {
                return List.of();
            }
            return backend.cpuset(path).map(Cpuset::cpus).orElse(List.of());
        }

        // ---- which pages move ----

        private void scan(boolean markPending) {
            vmas.addAll(backend.vmas(pid));
            long base = 0;
            for (int i = 0; i < vmas.size(); i++) {
                Vma vma = vmas.get(i);
                long start = clipStart(vma);
                long end = clipEnd(vma);
                if (start >= end) {
                    continue;
                }
                int pageSize = topology.pageSize();
                long from = (start - vma.start()) / pageSize;
                long to = (end - vma.start()) / pageSize;
                SkipReason reason = vmaSkipReason(vma);
                String object = vma.sharedObject();
                if (object != null && options.sharedOnce()) {
                    long offset = vma.objectOffset();
                    for (JobScope.Segment segment : scope.segments(object, offset + from, offset + to)) {
                        SkipReason segmentReason = segment.scanned() ? SkipReason.ALREADY_MIGRATED : reason;
                        base = addUnit(
                                i,
                                vma,
                                segment.from() - offset,
                                segment.to() - offset,
                                segmentReason,
                                base,
                                markPending);
                    }
                    if (reason == null) {
                        scope.markScanned(object, offset + from, offset + to);
                    }
                } else {
                    base = addUnit(i, vma, from, to, reason, base, markPending);
                }
            }
            for (int a = 0; a < n; a++) {
                pagesToMove += toMove[a];
            }
        }

        private long addUnit(
                int index, Vma vma, long from, long to, @Nullable SkipReason reason, long base, boolean markPending) {
            long pages = vma.pages(topology.pageSize());
            PageSet residentSet = markPending ? resident.computeIfAbsent(index, k -> new PageSet(pages)) : null;
            PageSet pendingSet =
                    markPending && reason == null ? pending.computeIfAbsent(index, k -> new PageSet(pages)) : null;
            Census census = new Census(n, reason == null ? moving : null, residentSet, pendingSet, null);
            backend.census(pid, vma, from, to, census);
            notPresent += census.notPresent;
            scanned += census.resident();
            long onOldNodes = 0;
            for (int a = 0; a < n; a++) {
                placementBefore[a] += census.onNode[a];
                if (moving[a]) {
                    onOldNodes += census.onNode[a];
                    if (reason == null) {
                        addFailed(Errno.EBUSY, census.pinnedOnNode[a]);
                        toMove[a] += census.onNode[a] - census.pinnedOnNode[a];
                    }
                }
            }
            if (reason == SkipReason.ALREADY_MIGRATED) {
                skipped.merge(reason, census.resident(), Long::sum);
            } else if (reason != null) {
                skipped.merge(reason, onOldNodes, Long::sum);
            }
            Unit unit = new Unit(index, vma, from, to, reason, base);
            units.add(unit);
            if (reason == null) {
                movable.add(unit);
                return unit.end();
            }
            return base;
        }

        private @Nullable SkipReason vmaSkipReason(Vma vma) {
            String path = vma.file();
            String object = vma.sharedObject();
            if (path == null && object != null && object.startsWith("file:")) {
                path = object.substring("file:".length());
            }
            if (path != null) {
                FileInfo file = backend.file(path);
                if (!file.nfs() && "none".equals(file.migrate())) {
                    return SkipReason.XATTR_NONE;
                }
                if (!file.nfs() && "lib".equals(file.migrate()) && !vma.writable()) {
                    return SkipReason.XATTR_LIB_READONLY;
                }
            }
            if (object != null
                    && !options.moveShared()
                    && !scope.targetPids().containsAll(backend.pidsMapping(object))) {
                return SkipReason.SHARED;
            }
            return null;
        }

        // ---- where each page goes ----

        private enum Outcome {
            COMPLETED,
            OUT_OF_MEMORY,
            CANCELLED
        }

        private Outcome moveAll() {
            Scheduler scheduler = new Scheduler(target, toMove, topology, request.newNodes());
            long end = movable.isEmpty() ? 0 : movable.getLast().end();
            long[] cursor = new long[n];
            boolean[] knownFull = new boolean[n];
            MovePass pass = new MovePass(n, new PageSet(0));
            pass.log = log;
            monitor.progress(pid, 0, pagesToMove);
            while (true) {
                if (monitor.cancelRequested()) {
                    return Outcome.CANCELLED;
                }
                long[] free = new long[n];
                for (Node node : topology.nodes()) {
                    free[node.id()] = knownFull[node.id()] ? 0 : backend.freePages(node.id());
                }
                Scheduler.Step step = scheduler.next(free);
                switch (step) {
                    case Scheduler.Done done -> {
                        return Outcome.COMPLETED;
                    }
                    case Scheduler.OutOfMemory oom -> {
                        addFailed(Errno.ENOMEM, scheduler.totalPending());
                        return Outcome.OUT_OF_MEMORY;
                    }
                    case Scheduler.Moves moves -> {
                        Arrays.fill(knownFull, false);
                        if (!pass(moves, scheduler, cursor, end, pass, knownFull)) {
                            return Outcome.CANCELLED;
                        }
                    }
                }
            }
        }

        /** Runs one step as one pass over the movable units; false when cancelled. */
        private boolean pass(
                Scheduler.Moves moves,
                Scheduler scheduler,
                long[] cursor,
                long end,
                MovePass pass,
                boolean[] knownFull) {
            long start = Long.MAX_VALUE;
            long[] leftAt = new long[n];
            Arrays.fill(leftAt, Long.MAX_VALUE);
            for (int a = 0; a < n; a++) {
                pass.target[a] = moves.target()[a];
                pass.quota[a] = moves.quota()[a];
                if (pass.quota[a] > 0) {
                    start = Math.min(start, cursor[a]);
                }
            }
            long stoppedAt = end;
            scan:
            for (Unit unit : movable) {
                if (unit.end() <= start) {
                    continue;
                }
                pass.pending = pending.get(unit.vmaIndex());
                pass.vmaIndex = unit.vmaIndex();
                pass.moveShared = mayMoveShared(unit.vma());
                long page = unit.fromPage() + Math.max(0, start - unit.base());
                while (page < unit.toPage()) {
                    if (monitor.cancelRequested()) {
                        return false;
                    }
                    long batchEnd = budget.end(pass.pending, page, unit.toPage());
                    pass.resetCall();
                    long doneBefore = pagesDone;
                    long started = nanoTime.getAsLong();
                    long stop = backend.movePass(pid, unit.vma(), page, batchEnd, pass);
                    long took = nanoTime.getAsLong() - started;
                    account(moves, pass, scheduler, unit, leftAt, knownFull);
                    budget.record(pagesDone - doneBefore, took);
                    monitor.progress(pid, pagesDone, pagesToMove);
                    if (!pass.hasWork()) {
                        stoppedAt = unit.base() + (stop - unit.fromPage());
                        break scan;
                    }
                    page = batchEnd;
                }
            }
            for (int a = 0; a < n; a++) {
                if (moves.quota()[a] > 0) {
                    cursor[a] = Math.min(leftAt[a], stoppedAt);
                    if (pass.quota[a] > 0 && leftAt[a] == Long.MAX_VALUE && stoppedAt == end) {
                        // The whole range after the cursor was passed and nothing of this source was
                        // left: what the count still holds vanished (unmapped during the moves).
                        long gone = scheduler.settle(a);
                        vanished += gone;
                        pagesToMove -= gone;
                    }
                }
            }
            return true;
        }

        private void account(
                Scheduler.Moves moves,
                MovePass pass,
                Scheduler scheduler,
                Unit unit,
                long[] leftAt,
                boolean[] knownFull) {
            for (int a = 0; a < n; a++) {
                long movedPages = pass.movedFrom[a];
                long busy = pass.busyFrom[a];
                long shared = pass.sharedFrom[a];
                if (movedPages > 0) {
                    moved[a * n + moves.target()[a]] += movedPages;
                    if (moves.isFallback(a)) {
                        fallbacks[moves.intended()[a]][moves.target()[a]] += movedPages;
                    }
                }
                if (movedPages + busy + shared > 0) {
                    scheduler.done(a, movedPages + busy + shared);
                    pagesDone += movedPages + busy + shared;
                    addFailed(Errno.EBUSY, busy);
                    if (shared > 0) {
                        skipped.merge(SkipReason.SHARED, shared, Long::sum);
                    }
                }
                if (pass.leftAt[a] != MovePass.NONE) {
                    leftAt[a] = Math.min(leftAt[a], unit.base() + (pass.leftAt[a] - unit.fromPage()));
                }
                if (pass.targetFull[a]) {
                    knownFull[a] = true;
                }
            }
        }

        /**
         * Whether pages that other processes map may move: with {@code moveShared}, or in a shared
         * object that the scan let move (every process mapping it is a target of the job).
         */
        private boolean mayMoveShared(Vma vma) {
            return options.moveShared() || vma.sharedObject() != null;
        }

        private long remainingPending() {
            long total = 0;
            for (Unit unit : movable) {
                total += pending.get(unit.vmaIndex()).count(unit.fromPage(), unit.toPage());
            }
            return total;
        }

        // ---- after: rollback and read-back ----

        /** Moves every moved page back, in reverse order, and restores what was changed. */
        private long[] rollback() {
            long back = 0;
            long notBack = 0;
            if (log != null) {
                MovePass pass = new MovePass(n, new PageSet(0));
                for (int i = log.size() - 1; i >= 0; i--) {
                    int vmaIndex = log.vma(i);
                    Vma vma = vmas.get(vmaIndex);
                    long first = log.page(i);
                    long count = log.count(i);
                    PageSet set = pending.get(vmaIndex);
                    set.set(first, first + count);
                    Arrays.fill(pass.target, -1);
                    Arrays.fill(pass.quota, 0);
                    pass.target[log.to(i)] = log.from(i);
                    pass.quota[log.to(i)] = count;
                    pass.pending = set;
                    pass.vmaIndex = vmaIndex;
                    pass.moveShared = mayMoveShared(vma);
                    pass.log = null;
                    pass.resetCall();
                    try {
                        backend.movePass(pid, vma, first, first + count, pass);
                        back += pass.movedFrom[log.to(i)];
                        notBack += count - pass.movedFrom[log.to(i)];
                    } catch (BackendException e) {
                        notBack += count;
                    }
                    set.clear(first, first + count);
                }
            }
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).run();
                } catch (BackendException e) {
                    warnings.add(MigrationWarning.RESTORE_INCOMPLETE);
                }
            }
            policyAfter = process.policy();
            return new long[] {back, notBack};
        }

        /** Reads back where the pages are; returns pages that appeared on old nodes meanwhile. */
        private long readBack(long[] after) {
            long appeared = 0;
            for (Unit unit : units) {
                PageSet baseline = resident.get(unit.vmaIndex());
                Census census = new Census(n, null, null, null, baseline);
                backend.census(pid, unit.vma(), unit.fromPage(), unit.toPage(), census);
                for (int a = 0; a < n; a++) {
                    after[a] += census.onNode[a];
                    if (unit.reason() == null && moving[a]) {
                        appeared += census.newOnNode[a];
                    }
                }
            }
            return appeared;
        }

        private long digest() {
            long sum = 0;
            for (Unit unit : units) {
                sum += backend.digest(pid, unit.vma(), unit.fromPage(), unit.toPage(), resident.get(unit.vmaIndex()));
            }
            return sum;
        }

        // ---- the result ----

        private MigrationResult result(
                MigrationStatus status,
                @Nullable Errno errno,
                @Nullable String message,
                long[] after,
                long left,
                @Nullable String digestBefore,
                @Nullable String digestAfter,
                long rolledBack,
                long rollbackFailed,
                @Nullable Double estimate) {
            List<NodePairPages> moves = new ArrayList<>();
            List<Fallback> fallbackList = new ArrayList<>();
            long movedTotal = 0;
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    long pages = moved[a * n + b];
                    if (pages > 0) {
                        moves.add(new NodePairPages(a, b, pages));
                        movedTotal += pages;
                    }
                    if (fallbacks[a][b] > 0) {
                        fallbackList.add(new Fallback(a, b, fallbacks[a][b]));
                    }
                }
            }
            List<VmaOutcome> outcomes = new ArrayList<>();
            for (Unit unit : units) {
                long pageSize = topology.pageSize();
                long start = unit.vma().start() + unit.fromPage() * pageSize;
                long end = unit.vma().start() + unit.toPage() * pageSize;
                outcomes.add(new VmaOutcome(
                        start,
                        end,
                        unit.vma().maps(),
                        unit.reason() == null ? VmaAction.MIGRATED : VmaAction.SKIPPED,
                        unit.reason()));
            }
            return new MigrationResult(
                    pid,
                    status,
                    errno,
                    message,
                    scanned,
                    movedTotal,
                    notPresent + vanished,
                    nonZero(skipped),
                    nonZero(failed),
                    moves,
                    fallbackList,
                    placement(placementBefore),
                    placement(after),
                    left,
                    digestBefore,
                    digestAfter,
                    process.policy(),
                    policyAfter,
                    rolledBack,
                    rollbackFailed,
                    warnings,
                    outcomes,
                    estimate);
        }

        private String outOfMemoryMessage() {
            return "no node in newNodes " + request.newNodes() + " has room for the pages still to move";
        }

        private void addFailed(Errno errno, long pages) {
            if (pages > 0) {
                failed.merge(errno, pages, Long::sum);
            }
        }

        private long clipStart(Vma vma) {
            AddressRange range = request.range();
            return range == null ? vma.start() : Math.max(vma.start(), range.start());
        }

        private long clipEnd(Vma vma) {
            AddressRange range = request.range();
            return range == null ? vma.end() : Math.min(vma.end(), range.end());
        }
    }

    private static <K extends Enum<K>> Map<K, Long> nonZero(EnumMap<K, Long> counts) {
        EnumMap<K, Long> copy = new EnumMap<>(counts);
        copy.values().removeIf(v -> v == 0);
        return copy;
    }

    private static SortedMap<Integer, Long> placement(long[] counts) {
        SortedMap<Integer, Long> map = new TreeMap<>();
        for (int node = 0; node < counts.length; node++) {
            if (counts[node] > 0) {
                map.put(node, counts[node]);
            }
        }
        return map;
    }

    private static String hex(long digest) {
        return String.format("%016x", digest);
    }
}
