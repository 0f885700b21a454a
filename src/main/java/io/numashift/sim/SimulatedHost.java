package io.numashift.sim;

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
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.FileSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.SharedObjectSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A NUMA host held in memory: nodes with capacities, processes with VMAs, and where each page is.
 * It implements the backend interface that the Linux kernel also implements, so the migration
 * core runs unchanged against it.
 *
 * <p>Every page carries content derived from its memory object and page index, so a digest of
 * (address, content) shows whether a page was lost. Running processes allocate pages at every
 * migration step ({@code allocatePagesPerStep}), where their policy puts them; a positive
 * {@code pagesPerSecond} paces page moves like a real copy.
 *
 * <p>Thread-safe: state changes under the host's lock; pacing waits outside it.
 */
public final class SimulatedHost implements NumaBackend {
    private static final int MAX_NODE_ID = 255;

    private final String name;
    private final int pageSize;
    private final double pagesPerSecond;
    private final double microsPerPage;
    private final List<NodeSpec> nodes;
    private final int nodeIdLimit;
    private final long[] capacity;
    private final long[] used;
    private final int[][] distances;
    private final Map<String, Cpuset> cpusets = new LinkedHashMap<>();
    private final Map<String, FileInfo> files = new HashMap<>();
    private final Map<String, MemoryObject> sharedObjects = new LinkedHashMap<>();
    private final TreeMap<Integer, SimProcess> processes = new TreeMap<>();
    private final PaceClock clock;
    private long pacedUntil;

    /** Pages of one object: a process's private memory, or a shared object. */
    private static final class MemoryObject {
        final PagePlacement placement;
        final long seed;
        long pinnedUpTo;
        long allocCursor;

        MemoryObject(long pages, long seed) {
            this.placement = new PagePlacement(pages);
            this.seed = seed;
        }

        /** A seeded number per page; linear in the page so that runs have a closed-form digest. */
        long content(long page) {
            return seed + page * CONTENT_STEP;
        }
    }

    private static final class SimVma {
        final long start;
        final long pages;
        final String perms;
        final @Nullable String file;
        final @Nullable String shared;
        final MemoryObject object;
        final long offset;

        @Nullable
        MemoryPolicy policy;

        SimVma(
                long start,
                long pages,
                String perms,
                @Nullable String file,
                @Nullable String shared,
                MemoryObject object,
                long offset,
                @Nullable MemoryPolicy policy) {
            this.start = start;
            this.pages = pages;
            this.perms = perms;
            this.file = file;
            this.shared = shared;
            this.object = object;
            this.offset = offset;
            this.policy = policy;
        }

        long end(int pageSize) {
            return start + pages * pageSize;
        }

        Vma view(int pageSize) {
            return new Vma(start, end(pageSize), perms, file, shared, offset, policy);
        }
    }

    private static final class SimProcess {
        final int pid;
        final int uid;
        final String command;

        @Nullable
        String cpuset;

        int cpu;
        boolean stopped;
        MemoryPolicy policy;
        final long allocatePagesPerStep;
        final List<SimVma> vmas = new ArrayList<>();
        int interleave;

        SimProcess(ProcessSpec spec) {
            this.pid = spec.pid();
            this.uid = spec.uid();
            this.command = spec.command();
            this.cpuset = spec.cpuset();
            this.cpu = spec.cpu();
            this.stopped = spec.stopped();
            this.policy = spec.policy();
            this.allocatePagesPerStep = spec.allocatePagesPerStep();
        }
    }

    private SimulatedHost(HostSpec spec, PaceClock clock) {
        this.clock = clock;
        this.name = spec.name();
        this.pageSize = spec.pageSize();
        this.pagesPerSecond = spec.pagesPerSecond();
        this.microsPerPage = spec.microsPerPage();
        this.nodes = spec.nodes().stream()
                .sorted(Comparator.comparingInt(NodeSpec::id))
                .toList();
        this.nodeIdLimit = nodes.getLast().id() + 1;
        this.capacity = new long[nodeIdLimit];
        this.used = new long[nodeIdLimit];
        for (NodeSpec node : nodes) {
            capacity[node.id()] = node.capacityPages();
        }
        this.distances = new int[nodeIdLimit][nodeIdLimit];
        List<NodeSpec> declared = spec.nodes();
        for (int i = 0; i < declared.size(); i++) {
            for (int j = 0; j < declared.size(); j++) {
                int from = declared.get(i).id();
                int to = declared.get(j).id();
                distances[from][to] = spec.distances() == null
                        ? (i == j ? 10 : 20)
                        : spec.distances().get(i).get(j);
            }
        }
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
        String where = "host " + spec.name() + ": ";
        if (spec.name().isBlank()) {
            throw new ScenarioException("host: name must not be empty");
        }
        if (spec.pageSize() <= 0 || Integer.bitCount(spec.pageSize()) != 1) {
            throw new ScenarioException(where + "pageSize: " + spec.pageSize() + " is not a power of two");
        }
        if (spec.pagesPerSecond() < 0) {
            throw new ScenarioException(where + "pagesPerSecond: must not be negative");
        }
        if (spec.microsPerPage() < 0) {
            throw new ScenarioException(where + "costProfile.microsPerPage: must not be negative");
        }
        if (spec.nodes().isEmpty()) {
            throw new ScenarioException(where + "nodes: a host needs at least one node");
        }
        Set<Integer> ids = new HashSet<>();
        Set<Integer> cpus = new HashSet<>();
        for (int i = 0; i < spec.nodes().size(); i++) {
            NodeSpec node = spec.nodes().get(i);
            String field = where + "nodes[" + i + "]";
            if (node.id() < 0 || node.id() > MAX_NODE_ID) {
                throw new ScenarioException(field + ".id: " + node.id() + " is outside 0.." + MAX_NODE_ID);
            }
            if (!ids.add(node.id())) {
                throw new ScenarioException(field + ".id: node " + node.id() + " is declared twice");
            }
            if (node.capacityPages() < 0) {
                throw new ScenarioException(field + ".capacityPages: must not be negative");
            }
            for (int cpu : node.cpus()) {
                if (cpu < 0 || !cpus.add(cpu)) {
                    throw new ScenarioException(field + ".cpus: CPU " + cpu + " is negative or on two nodes");
                }
            }
        }
        if (spec.distances() != null) {
            int size = spec.nodes().size();
            if (spec.distances().size() != size || spec.distances().stream().anyMatch(row -> row.size() != size)) {
                throw new ScenarioException(where + "distances: must be a " + size + "x" + size + " matrix");
            }
            if (spec.distances().stream().flatMap(List::stream).anyMatch(d -> d == null || d <= 0)) {
                throw new ScenarioException(where + "distances: every distance must be positive");
            }
        }
        SimulatedHost host = new SimulatedHost(spec, clock);
        for (int i = 0; i < spec.cpusets().size(); i++) {
            CpusetSpec cpuset = spec.cpusets().get(i);
            String field = where + "cpusets[" + i + "]";
            if (host.cpusets.containsKey(cpuset.path())) {
                throw new ScenarioException(field + ".path: cpuset " + cpuset.path() + " is declared twice");
            }
            host.requireNodes(field + ".mems", cpuset.mems());
            for (int cpu : cpuset.cpus()) {
                if (!cpus.contains(cpu)) {
                    throw new ScenarioException(field + ".cpus: CPU " + cpu + " does not exist");
                }
            }
            host.cpusets.put(cpuset.path(), new Cpuset(cpuset.path(), cpuset.mems(), cpuset.cpus()));
        }
        for (int i = 0; i < spec.files().size(); i++) {
            FileSpec file = spec.files().get(i);
            String migrate = file.migrate();
            if (migrate != null && !migrate.equals("none") && !migrate.equals("lib")) {
                throw new ScenarioException(where + "files[" + i + "].migrate: expected none or lib, got " + migrate);
            }
            host.files.put(file.path(), new FileInfo(file.path(), migrate, file.nfs()));
        }
        for (int i = 0; i < spec.sharedObjects().size(); i++) {
            SharedObjectSpec object = spec.sharedObjects().get(i);
            String field = where + "sharedObjects[" + i + "] (" + object.name() + ")";
            if (host.sharedObjects.containsKey(object.name())) {
                throw new ScenarioException(field + ".name: declared twice");
            }
            if (object.pages() <= 0) {
                throw new ScenarioException(field + ".pages: must be positive");
            }
            MemoryObject memory = host.newObject(object.pages(), object.name());
            host.lay(field + ".placement", memory, object.pages(), object.placement());
            host.sharedObjects.put(object.name(), memory);
        }
        for (ProcessSpec process : spec.processes()) {
            host.addProcess(where, process, cpus);
        }
        for (NodeSpec node : host.nodes) {
            if (host.used[node.id()] > node.capacityPages()) {
                throw new ScenarioException(where + "node " + node.id() + ": " + host.used[node.id()]
                        + " resident pages exceed its capacityPages " + node.capacityPages());
            }
        }
        return host;
    }

    private void addProcess(String where, ProcessSpec spec, Set<Integer> cpus) {
        String field = where + "process " + spec.pid() + ": ";
        if (spec.pid() <= 0) {
            throw new ScenarioException(field + "pid: must be positive");
        }
        if (processes.containsKey(spec.pid())) {
            throw new ScenarioException(field + "pid: declared twice");
        }
        if (spec.cpuset() != null && !cpusets.containsKey(spec.cpuset())) {
            throw new ScenarioException(field + "cpuset: " + spec.cpuset() + " is not declared");
        }
        if (!cpus.contains(spec.cpu())) {
            throw new ScenarioException(field + "cpu: CPU " + spec.cpu() + " does not exist");
        }
        requireNodes(field + "policy.nodes", spec.policy().nodes());
        if (spec.allocatePagesPerStep() < 0) {
            throw new ScenarioException(field + "allocatePagesPerStep: must not be negative");
        }
        SimProcess process = new SimProcess(spec);
        List<VmaSpec> vmas = spec.vmas().stream()
                .sorted(Comparator.comparingLong(VmaSpec::start))
                .toList();
        for (VmaSpec vma : vmas) {
            int index = spec.vmas().indexOf(vma);
            String vmaField = field + "vmas[" + index + "].";
            if (vma.start() < 0 || vma.start() % pageSize != 0) {
                throw new ScenarioException(vmaField + "start: 0x" + Long.toHexString(vma.start())
                        + " is not aligned to the page size " + pageSize);
            }
            if (vma.pages() <= 0) {
                throw new ScenarioException(vmaField + "pages: must be positive");
            }
            if (vma.perms().length() != 3 || !vma.perms().matches("[r-][w-][x-]")) {
                throw new ScenarioException(
                        vmaField + "perms: expected three characters like rw- or r-x, got " + vma.perms());
            }
            if (vma.pinned() < 0) {
                throw new ScenarioException(vmaField + "pinned: must not be negative");
            }
            if (vma.policy() != null) {
                requireNodes(vmaField + "policy.nodes", vma.policy().nodes());
            }
            if (!process.vmas.isEmpty()) {
                SimVma last = process.vmas.getLast();
                if (vma.start() < last.end(pageSize)) {
                    throw new ScenarioException(
                            vmaField + "start: overlaps the VMA at 0x" + Long.toHexString(last.start));
                }
            }
            MemoryObject object;
            long resident;
            if (vma.shared() != null) {
                object = sharedObjects.get(vma.shared());
                if (object == null) {
                    throw new ScenarioException(vmaField + "shared: " + vma.shared() + " is not declared");
                }
                if (!vma.placement().isEmpty()) {
                    throw new ScenarioException(vmaField + "placement: a shared VMA has the placement of its object");
                }
                if (vma.pages() > object.placement.pages()) {
                    throw new ScenarioException(vmaField + "pages: larger than the shared object " + vma.shared());
                }
                resident = object.allocCursor;
            } else {
                object = newObject(vma.pages(), spec.pid() + "@" + vma.start());
                resident = lay(vmaField + "placement", object, vma.pages(), vma.placement());
            }
            if (vma.pinned() > Math.min(resident, vma.pages())) {
                throw new ScenarioException(
                        vmaField + "pinned: " + vma.pinned() + " exceeds the " + resident + " resident pages");
            }
            object.pinnedUpTo = Math.max(object.pinnedUpTo, vma.pinned());
            process.vmas.add(new SimVma(
                    vma.start(), vma.pages(), vma.perms(), vma.file(), vma.shared(), object, 0, vma.policy()));
        }
        processes.put(spec.pid(), process);
    }

    private void requireNodes(String field, List<Integer> ids) {
        for (int id : ids) {
            if (!hasNode(id)) {
                throw new ScenarioException(field + ": node " + id + " does not exist");
            }
        }
    }

    private boolean hasNode(int id) {
        return id >= 0 && id < nodeIdLimit && nodes.stream().anyMatch(n -> n.id() == id);
    }

    private MemoryObject newObject(long pages, String key) {
        return new MemoryObject(pages, PageDigest.mix(name.hashCode() * 31L + key.hashCode()));
    }

    /** Lays out resident pages from page 0 in node order; returns how many. */
    private long lay(String field, MemoryObject object, long pages, Map<Integer, Long> placement) {
        long page = 0;
        for (var entry : new TreeMap<>(placement).entrySet()) {
            int node = entry.getKey();
            long count = entry.getValue();
            if (!hasNode(node)) {
                throw new ScenarioException(field + ": node " + node + " does not exist");
            }
            if (count < 0) {
                throw new ScenarioException(field + ": a negative page count for node " + node);
            }
            if (page + count > pages) {
                throw new ScenarioException(
                        field + ": " + (page + count) + " resident pages exceed the " + pages + " pages");
            }
            object.placement.fill(page, page + count, node);
            used[node] += count;
            page += count;
        }
        object.allocCursor = page;
        return page;
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
        List<Node> view = nodes.stream()
                .map(n -> new Node(n.id(), n.capacityPages(), n.capacityPages() - used[n.id()], n.cpus()))
                .toList();
        int[][] matrix = new int[nodes.size()][nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = 0; j < nodes.size(); j++) {
                matrix[i][j] = distances[nodes.get(i).id()][nodes.get(j).id()];
            }
        }
        return new Topology(pageSize, view, matrix);
    }

    @Override
    public synchronized long freePages(int node) {
        return capacity[node] - used[node];
    }

    @Override
    public synchronized Optional<ProcessInfo> process(int pid) {
        SimProcess p = processes.get(pid);
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(new ProcessInfo(p.pid, p.uid, p.command, p.cpuset, p.cpu, p.stopped, p.policy));
    }

    @Override
    public synchronized List<Integer> pidsInCpuset(String path) {
        return processes.values().stream()
                .filter(p -> path.equals(p.cpuset))
                .map(p -> p.pid)
                .toList();
    }

    @Override
    public synchronized Optional<Cpuset> cpuset(String path) {
        return Optional.ofNullable(cpusets.get(path));
    }

    @Override
    public synchronized List<Vma> vmas(int pid) {
        return process(pid, "vmas").vmas.stream().map(v -> v.view(pageSize)).toList();
    }

    @Override
    public synchronized FileInfo file(String path) {
        return files.getOrDefault(path, FileInfo.plain(path));
    }

    @Override
    public synchronized Set<Integer> pidsMapping(String sharedObject) {
        Set<Integer> pids = new HashSet<>();
        for (SimProcess p : processes.values()) {
            if (p.vmas.stream().anyMatch(v -> sharedObject.equals(v.shared))) {
                pids.add(p.pid);
            }
        }
        return pids;
    }

    @Override
    public synchronized void census(int pid, Vma vma, long fromPage, long toPage, Census census) {
        SimVma v = vma(pid, vma);
        MemoryObject object = v.object;
        PagePlacement placement = object.placement;
        boolean[] moving = census.moving;
        PageSet resident = census.resident;
        PageSet pending = census.pending;
        PageSet baseline = census.baseline;
        long page = fromPage;
        while (page < toPage) {
            long objectPage = v.offset + page;
            int chunk = PagePlacement.chunkOf(objectPage);
            long end = segmentEnd(page, toPage, objectPage, placement.chunkEnd(chunk));
            long length = end - page;
            if (placement.isUniform(chunk)) {
                int node = placement.uniformNode(chunk);
                if (node == PagePlacement.ABSENT) {
                    census.notPresent += length;
                } else {
                    census.onNode[node] += length;
                    long pinnedEnd = Math.min(end, Math.max(page, object.pinnedUpTo - v.offset));
                    census.pinnedOnNode[node] += pinnedEnd - page;
                    if (resident != null) {
                        resident.set(page, end);
                    }
                    if (pending != null && moving != null && moving[node]) {
                        pending.set(pinnedEnd, end);
                    }
                    if (baseline != null) {
                        census.newOnNode[node] += length - baseline.count(page, end);
                    }
                }
            } else if (aligned(v)) {
                censusDense(object, chunk, page, end, census);
            } else {
                int offset = (int) (objectPage - PagePlacement.chunkStart(chunk));
                for (long p = page; p < end; p++, offset++) {
                    int node = placement.denseNode(chunk, offset);
                    if (node == PagePlacement.ABSENT) {
                        census.notPresent++;
                        continue;
                    }
                    census.onNode[node]++;
                    boolean pinned = v.offset + p < object.pinnedUpTo;
                    if (pinned) {
                        census.pinnedOnNode[node]++;
                    }
                    if (resident != null) {
                        resident.set(p);
                    }
                    if (pending != null && moving != null && moving[node] && !pinned) {
                        pending.set(p);
                    }
                    if (baseline != null && !baseline.get(p)) {
                        census.newOnNode[node]++;
                    }
                }
            }
            page = end;
        }
    }

    /** Whether the VMA's pages line up with its object's chunks, so a page-set block is a chunk. */
    private static boolean aligned(SimVma v) {
        return (v.offset & (PageSet.BLOCK_PAGES - 1)) == 0;
    }

    /** Census of a dense chunk whose pages line up with the page-set block, a word at a time. */
    private static void censusDense(MemoryObject object, int chunk, long page, long end, Census census) {
        PagePlacement placement = object.placement;
        byte[] nodes = placement.denseNodes(chunk);
        long[] present = placement.presentBits(chunk);
        int block = (int) (page >>> PageSet.BLOCK_SHIFT);
        long blockStart = (long) block << PageSet.BLOCK_SHIFT;
        long chunkStart = PagePlacement.chunkStart(chunk);
        long[] residentWords = census.resident == null ? null : census.resident.writableWords(block);
        long[] pendingWords = census.pending == null ? null : census.pending.writableWords(block);
        long[] baselineWords = census.baseline == null ? null : census.baseline.readWords(block);
        boolean[] moving = census.moving;
        long[] onNode = census.onNode;
        int from = (int) (page - blockStart);
        int to = (int) (end - blockStart);
        for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
            long mask = wordMask(w, from, to);
            long bits = present[w] & mask;
            census.notPresent += Long.bitCount(mask) - Long.bitCount(bits);
            if (residentWords != null) {
                residentWords[w] |= bits;
            }
            long known = baselineWords == null ? 0 : baselineWords[w];
            long pendingBits = 0;
            while (bits != 0) {
                int b = Long.numberOfTrailingZeros(bits);
                long bit = bits & -bits;
                bits ^= bit;
                int i = (w << 6) | b;
                int node = nodes[i] & 0xFF;
                onNode[node]++;
                boolean pinned = chunkStart + i < object.pinnedUpTo;
                if (pinned) {
                    census.pinnedOnNode[node]++;
                } else if (moving != null && moving[node]) {
                    pendingBits |= bit;
                }
                if (baselineWords != null && (known & bit) == 0) {
                    census.newOnNode[node]++;
                }
            }
            if (pendingWords != null) {
                pendingWords[w] |= pendingBits;
            }
        }
    }

    /** The bits of word {@code w} that fall in {@code [from, to)}. */
    private static long wordMask(int w, int from, int to) {
        int lo = Math.max(from - (w << 6), 0);
        int hi = Math.min(to - (w << 6), 64);
        long upper = hi == 64 ? -1L : (1L << hi) - 1;
        return upper & (-1L << lo);
    }

    @Override
    public synchronized long digest(int pid, Vma vma, long fromPage, long toPage, PageSet pages) {
        SimVma v = vma(pid, vma);
        MemoryObject object = v.object;
        PagePlacement placement = object.placement;
        long sum = 0;
        long page = fromPage;
        while (page < toPage) {
            long objectPage = v.offset + page;
            int chunk = PagePlacement.chunkOf(objectPage);
            long end = segmentEnd(page, toPage, objectPage, placement.chunkEnd(chunk));
            int block = (int) (page >>> PageSet.BLOCK_SHIFT);
            if (pages.blockEmpty(block)) {
                page = end;
                continue;
            }
            boolean uniform = placement.isUniform(chunk);
            if (pages.blockFull(block) && uniform) {
                boolean present = placement.uniformNode(chunk) != PagePlacement.ABSENT;
                sum += DIGEST.run(
                        v.start + page * pageSize,
                        pageSize,
                        present ? object.content(objectPage) : 0,
                        present ? CONTENT_STEP : 0,
                        end - page);
            } else if (!uniform && aligned(v)) {
                sum += digestDense(v, chunk, page, end, pages);
            } else {
                for (long p = page; p < end; p++) {
                    if (pages.get(p)) {
                        long op = v.offset + p;
                        boolean present = placement.node(op) != PagePlacement.ABSENT;
                        sum += DIGEST.term(v.start + p * pageSize, present ? object.content(op) : 0);
                    }
                }
            }
            page = end;
        }
        return sum;
    }

    /** The digest of the pages of a dense chunk that are in {@code pages}, a word of 64 pages at a time. */
    private long digestDense(SimVma v, int chunk, long page, long end, PageSet pages) {
        long[] present = v.object.placement.presentBits(chunk);
        int block = (int) (page >>> PageSet.BLOCK_SHIFT);
        long blockStart = (long) block << PageSet.BLOCK_SHIFT;
        long[] wanted = pages.readWords(block);
        if (wanted == null) {
            return 0;
        }
        long firstContent = v.object.content(v.offset + blockStart);
        long firstAddress = v.start + blockStart * pageSize;
        int from = (int) (page - blockStart);
        int to = (int) (end - blockStart);
        long sum = 0;
        for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
            long bits = wanted[w] & wordMask(w, from, to);
            while (bits != 0) {
                int i = (w << 6) | Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                long address = firstAddress + (long) i * pageSize;
                boolean isPresent = (present[w] & (1L << i)) != 0;
                sum += DIGEST.term(address, isPresent ? firstContent + i * CONTENT_STEP : 0);
            }
        }
        return sum;
    }

    /** The content step between consecutive pages of an object (the golden ratio's 64-bit fraction). */
    private static final long CONTENT_STEP = 0x9E3779B97F4A7C15L;

    private static final PageDigest DIGEST = PageDigest.SIMULATED;

    @Override
    public long movePass(int pid, Vma vma, long fromPage, long toPage, MovePass pass) {
        long stop;
        long movedPages;
        synchronized (this) {
            allocateStep();
            long before = total(pass.movedFrom);
            stop = movePassLocked(vma(pid, vma), fromPage, toPage, pass);
            movedPages = total(pass.movedFrom) - before;
        }
        pace(movedPages);
        return stop;
    }

    private long movePassLocked(SimVma v, long fromPage, long toPage, MovePass pass) {
        MemoryObject object = v.object;
        PagePlacement placement = object.placement;
        PageSet pending = pass.pending;
        int[] target = pass.target;
        long[] quota = pass.quota;
        MoveLog log = pass.log;
        long remaining = remainingQuota(pass);
        long page = fromPage;
        while (page < toPage && remaining > 0) {
            long objectPage = v.offset + page;
            int chunk = PagePlacement.chunkOf(objectPage);
            long end = segmentEnd(page, toPage, objectPage, placement.chunkEnd(chunk));
            int block = (int) (page >>> PageSet.BLOCK_SHIFT);
            if (pending.blockEmpty(block)) {
                page = end;
                continue;
            }
            int uniformNode = placement.isUniform(chunk) ? placement.uniformNode(chunk) : PagePlacement.ABSENT;
            boolean pinnedHere = objectPage < object.pinnedUpTo;
            if (uniformNode != PagePlacement.ABSENT && pending.blockFull(block) && !pinnedHere) {
                // A run of pending pages on one node: move as many as quota and room allow at once.
                int a = uniformNode;
                int t = target[a];
                if (t < 0 || quota[a] == 0 || pass.targetFull[t]) {
                    pass.left(a, page);
                    page = end;
                    continue;
                }
                long room = capacity[t] - used[t];
                long k = Math.min(end - page, Math.min(quota[a], room));
                if (k > 0) {
                    long chunkStart = PagePlacement.chunkStart(chunk);
                    if (k == end - page
                            && objectPage == chunkStart
                            && end - page == placement.chunkEnd(chunk) - chunkStart) {
                        placement.makeUniform(chunk, t);
                    } else {
                        placement.densify(chunk);
                        placement.fill(objectPage, objectPage + k, t);
                    }
                    used[t] += k;
                    used[a] -= k;
                    pending.clear(page, page + k);
                    pass.movedFrom[a] += k;
                    quota[a] -= k;
                    remaining -= k;
                    if (log != null) {
                        log.add(pass.vmaIndex, page, k, a, t);
                    }
                }
                if (page + k < end) {
                    if (capacity[t] - used[t] == 0) {
                        pass.targetFull[t] = true;
                    }
                    pass.left(a, page + k);
                }
                if (remaining == 0) {
                    return page + k;
                }
                page = end;
                continue;
            }
            if (uniformNode == PagePlacement.ABSENT && !placement.isUniform(chunk) && aligned(v)) {
                long stop = moveDense(object, chunk, page, end, pass);
                remaining = remainingQuota(pass);
                if (remaining == 0) {
                    return stop;
                }
                page = end;
                continue;
            }
            long stop = movePages(v, page, end, pass);
            remaining = remainingQuota(pass);
            if (remaining == 0) {
                return stop;
            }
            page = end;
        }
        return remaining == 0 ? page : toPage;
    }

    /**
     * Moves the pending pages of {@code [page, end)} one by one (a chunk whose pages do not line up
     * with the page-set block, or a run that is not all pending); returns where it stopped when
     * every quota was spent. A method of its own, so that the run path above compiles alike
     * whether or not this one ever ran.
     */
    private long movePages(SimVma v, long page, long end, MovePass pass) {
        MemoryObject object = v.object;
        PagePlacement placement = object.placement;
        PageSet pending = pass.pending;
        int[] target = pass.target;
        long[] quota = pass.quota;
        MoveLog log = pass.log;
        long remaining = remainingQuota(pass);
        for (long p = page; p < end; p++) {
            if (!pending.get(p)) {
                continue;
            }
            long op = v.offset + p;
            int a = placement.node(op);
            if (a == PagePlacement.ABSENT) {
                pending.clear(p);
                continue;
            }
            int t = target[a];
            if (t < 0 || quota[a] == 0 || pass.targetFull[t]) {
                pass.left(a, p);
                continue;
            }
            if (op < object.pinnedUpTo) {
                pending.clear(p);
                pass.busyFrom[a]++;
                continue;
            }
            if (used[t] >= capacity[t]) {
                pass.targetFull[t] = true;
                pass.left(a, p);
                continue;
            }
            placement.set(op, t);
            used[t]++;
            used[a]--;
            pending.clear(p);
            pass.movedFrom[a]++;
            quota[a]--;
            if (log != null) {
                log.add(pass.vmaIndex, p, 1, a, t);
            }
            if (--remaining == 0) {
                return p + 1;
            }
        }
        return end;
    }

    /**
     * Moves the pending pages of a dense chunk whose pages line up with the page-set block, a word
     * of 64 pages at a time; returns where it stopped when every quota was spent.
     */
    private long moveDense(MemoryObject object, int chunk, long page, long end, MovePass pass) {
        PagePlacement placement = object.placement;
        byte[] nodes = placement.denseNodes(chunk);
        long[] present = placement.presentBits(chunk);
        int block = (int) (page >>> PageSet.BLOCK_SHIFT);
        long blockStart = (long) block << PageSet.BLOCK_SHIFT;
        long chunkStart = PagePlacement.chunkStart(chunk);
        long[] pending = pass.pending.writableWords(block);
        int[] target = pass.target;
        long[] quota = pass.quota;
        long[] movedFrom = pass.movedFrom;
        boolean[] targetFull = pass.targetFull;
        MoveLog log = pass.log;
        long remaining = remainingQuota(pass);
        int from = (int) (page - blockStart);
        int to = (int) (end - blockStart);
        for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
            long mask = wordMask(w, from, to);
            long vanished = pending[w] & ~present[w] & mask;
            pending[w] &= ~vanished;
            long bits = pending[w] & mask;
            while (bits != 0) {
                long bit = bits & -bits;
                bits ^= bit;
                int i = (w << 6) | Long.numberOfTrailingZeros(bit);
                int a = nodes[i] & 0xFF;
                int t = target[a];
                if (t < 0 || quota[a] == 0 || targetFull[t]) {
                    pass.left(a, blockStart + i);
                    continue;
                }
                if (chunkStart + i < object.pinnedUpTo) {
                    pending[w] &= ~bit;
                    pass.busyFrom[a]++;
                    continue;
                }
                if (used[t] >= capacity[t]) {
                    targetFull[t] = true;
                    pass.left(a, blockStart + i);
                    continue;
                }
                nodes[i] = (byte) t;
                used[t]++;
                used[a]--;
                pending[w] &= ~bit;
                movedFrom[a]++;
                quota[a]--;
                if (log != null) {
                    log.add(pass.vmaIndex, blockStart + i, 1, a, t);
                }
                if (--remaining == 0) {
                    return blockStart + i + 1;
                }
            }
        }
        return end;
    }

    private static long remainingQuota(MovePass pass) {
        long remaining = 0;
        for (int a = 0; a < pass.nodeIdLimit; a++) {
            if (pass.target[a] >= 0) {
                remaining += pass.quota[a];
            }
        }
        return remaining;
    }

    /** The end of the segment from {@code page} that lies in one placement chunk and one page-set block. */
    private static long segmentEnd(long page, long toPage, long objectPage, long chunkEnd) {
        long blockEnd = ((page >>> PageSet.BLOCK_SHIFT) + 1) << PageSet.BLOCK_SHIFT;
        return Math.min(toPage, Math.min(blockEnd, page + (chunkEnd - objectPage)));
    }

    @Override
    public synchronized void setPolicy(int pid, MemoryPolicy policy) {
        requireNodesExist(policy);
        process(pid, "setPolicy").policy = policy;
    }

    @Override
    public synchronized void setVmaPolicy(int pid, long start, long end, MemoryPolicy policy) {
        requireNodesExist(policy);
        SimProcess process = process(pid, "setVmaPolicy");
        List<SimVma> result = new ArrayList<>();
        for (SimVma v : process.vmas) {
            long vEnd = v.end(pageSize);
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
        long skip = (start - v.start) / pageSize;
        return new SimVma(
                start, (end - start) / pageSize, v.perms, v.file, v.shared, v.object, v.offset + skip, policy);
    }

    @Override
    public synchronized void moveToCpuset(int pid, String path) {
        if (!cpusets.containsKey(path)) {
            throw new BackendException(Errno.EINVAL, "cpuset " + path + " does not exist on host " + name);
        }
        process(pid, "moveToCpuset").cpuset = path;
    }

    @Override
    public synchronized void moveToCpu(int pid, int cpu) {
        if (nodes.stream().noneMatch(n -> n.cpus().contains(cpu))) {
            throw new BackendException(Errno.EINVAL, "CPU " + cpu + " does not exist on host " + name);
        }
        process(pid, "moveToCpu").cpu = cpu;
    }

    @Override
    public synchronized void stop(int pid) {
        process(pid, "stop").stopped = true;
    }

    @Override
    public synchronized void resume(int pid) {
        process(pid, "resume").stopped = false;
    }

    // ---- what tests and benchmarks observe ----

    /** The node of the page at an address of a process, or -1 when it is not present. */
    public synchronized int nodeOf(int pid, long address) {
        SimVma v = vmaAt(pid, address);
        return v.object.placement.node(v.offset + (address - v.start) / pageSize);
    }

    /** The content of the page at an address, or 0 when it is not present. */
    public synchronized long contentOf(int pid, long address) {
        SimVma v = vmaAt(pid, address);
        long page = v.offset + (address - v.start) / pageSize;
        return v.object.placement.node(page) == PagePlacement.ABSENT ? 0 : v.object.content(page);
    }

    /** Pages in use on a node (private and shared, each page once). */
    public synchronized long usedPages(int node) {
        return used[node];
    }

    public synchronized long capacityPages(int node) {
        return capacity[node];
    }

    /** Resident pages of a process per node, over all its VMAs. */
    public synchronized SortedMap<Integer, Long> placement(int pid) {
        SortedMap<Integer, Long> result = new TreeMap<>();
        for (SimVma v : process(pid, "placement").vmas) {
            for (long page = 0; page < v.pages; page++) {
                int node = v.object.placement.node(v.offset + page);
                if (node != PagePlacement.ABSENT) {
                    result.merge(node, 1L, Long::sum);
                }
            }
        }
        return result;
    }

    /**
     * Lays the private pages of a VMA out again, page by page ({@code -1} for not present), for
     * tests and benchmarks that need placements a scenario cannot express.
     */
    public synchronized void relayout(int pid, long vmaStart, LongToIntFunction nodeOfPage) {
        SimVma v = vmaAt(pid, vmaStart);
        if (v.shared != null) {
            throw new IllegalArgumentException("relayout works on private VMAs");
        }
        PagePlacement placement = v.object.placement;
        boolean[] exists = new boolean[nodeIdLimit];
        nodes.forEach(n -> exists[n.id()] = true);
        for (long page = 0; page < v.pages; page++) {
            long op = v.offset + page;
            int old = placement.node(op);
            int node = nodeOfPage.applyAsInt(page);
            if (node != PagePlacement.ABSENT && (node < 0 || node >= nodeIdLimit || !exists[node])) {
                throw new IllegalArgumentException("node " + node + " does not exist");
            }
            if (old != PagePlacement.ABSENT) {
                used[old]--;
            }
            if (node != PagePlacement.ABSENT) {
                used[node]++;
            }
            placement.set(op, node);
        }
        for (NodeSpec node : nodes) {
            if (used[node.id()] > capacity[node.id()]) {
                throw new IllegalArgumentException("node " + node.id() + " is over capacity after relayout");
            }
        }
        v.object.allocCursor = v.pages;
    }

    /** Bytes of heap that the page placements of this host hold. */
    public synchronized long placementHeapBytes() {
        Set<MemoryObject> objects = new HashSet<>(sharedObjects.values());
        for (SimProcess p : processes.values()) {
            for (SimVma v : p.vmas) {
                objects.add(v.object);
            }
        }
        return objects.stream().mapToLong(o -> o.placement.heapBytes()).sum();
    }

    // ---- concurrency of the running processes, and pacing ----

    /** One migration step: every running process allocates its pages where its policy says. */
    private void allocateStep() {
        for (SimProcess process : processes.values()) {
            if (process.stopped || process.allocatePagesPerStep == 0) {
                continue;
            }
            for (long i = 0; i < process.allocatePagesPerStep; i++) {
                if (!allocateOne(process)) {
                    break;
                }
            }
        }
    }

    private boolean allocateOne(SimProcess process) {
        for (SimVma v : process.vmas) {
            MemoryObject object = v.object;
            if (v.shared != null || v.perms.indexOf('w') < 0 || object.allocCursor >= v.offset + v.pages) {
                continue;
            }
            MemoryPolicy policy = v.policy != null ? v.policy : process.policy;
            int node = allocationNode(process, policy);
            if (node < 0) {
                return false;
            }
            long page = Math.max(object.allocCursor, v.offset);
            object.placement.set(page, node);
            object.allocCursor = page + 1;
            used[node]++;
            return true;
        }
        return false;
    }

    /** Where a new page of the process goes under a policy; -1 when the host is full. */
    private int allocationNode(SimProcess process, MemoryPolicy policy) {
        List<Integer> candidates = switch (policy.mode()) {
            case BIND -> policy.nodes();
            case INTERLEAVE -> {
                List<Integer> ring = policy.nodes();
                int first = Math.floorMod(process.interleave++, ring.size());
                List<Integer> rotated = new ArrayList<>(ring.subList(first, ring.size()));
                rotated.addAll(ring.subList(0, first));
                yield rotated;
            }
            case PREFERRED -> byDistanceFrom(policy.nodes().getFirst());
            case DEFAULT -> byDistanceFrom(nodeOfCpu(process.cpu));
        };
        for (int node : candidates) {
            if (used[node] < capacity[node]) {
                return node;
            }
        }
        return -1;
    }

    private List<Integer> byDistanceFrom(int origin) {
        return nodes.stream()
                .map(NodeSpec::id)
                .filter(id -> capacity[id] > 0)
                .sorted(Comparator.<Integer>comparingInt(id -> distances[origin][id])
                        .thenComparingInt(id -> id))
                .toList();
    }

    private int nodeOfCpu(int cpu) {
        return nodes.stream()
                .filter(n -> n.cpus().contains(cpu))
                .mapToInt(NodeSpec::id)
                .findFirst()
                .orElse(nodes.getFirst().id());
    }

    /** Waits so that moves keep to {@code pagesPerSecond}; outside the lock. */
    private void pace(long movedPages) {
        if (pagesPerSecond <= 0 || movedPages == 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = clock.nanoTime();
            pacedUntil = Math.max(pacedUntil, now) + (long) (movedPages * 1e9 / pagesPerSecond);
            wait = pacedUntil - now;
        }
        if (wait > 0) {
            clock.sleepNanos(wait);
        }
    }

    // ---- lookups ----

    private SimProcess process(int pid, String operation) {
        SimProcess process = processes.get(pid);
        if (process == null) {
            throw new BackendException(Errno.ESRCH, operation + ": no process " + pid + " on host " + name);
        }
        return process;
    }

    private SimVma vma(int pid, Vma vma) {
        for (SimVma v : process(pid, "vma").vmas) {
            if (v.start == vma.start()) {
                return v;
            }
        }
        throw new BackendException(
                Errno.EFAULT, "process " + pid + " has no VMA at 0x" + Long.toHexString(vma.start()));
    }

    private SimVma vmaAt(int pid, long address) {
        for (SimVma v : process(pid, "vmaAt").vmas) {
            if (address >= v.start && address < v.end(pageSize)) {
                return v;
            }
        }
        throw new IllegalArgumentException("process " + pid + " maps nothing at 0x" + Long.toHexString(address));
    }

    private void requireNodesExist(MemoryPolicy policy) {
        for (int node : policy.nodes()) {
            if (!hasNode(node)) {
                throw new BackendException(Errno.EINVAL, "node " + node + " does not exist on host " + name);
            }
        }
    }

    private static long total(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }
}
