package io.numashift.sim;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryBlocks;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.MemoryState;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.PageDigest;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.Topology;
import io.numashift.sim.HostSpec.NodeSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongToIntFunction;

/**
 * The memory of a simulated host: its nodes with their capacity and the pages in use, the memory
 * objects whose page placements say where each page is, and what can be read of them (the census,
 * the digest) or done to them besides moves ({@link SimulatedMoves}): the allocations of running
 * processes, relayouts. Node ids are 0 to 255.
 *
 * <p>Not thread-safe: the host calls it under its lock.
 */
final class SimulatedMemory {
    private static final PageDigest DIGEST = PageDigest.SIMULATED;

    final int pageSize;
    final List<NodeSpec> nodes;
    final int nodeIdLimit;
    final long[] capacity;
    final long[] used;
    private final int[][] distances;
    private final String hostName;

    /** The nodes of a spec that {@link HostRules} checked, with no page in use. */
    SimulatedMemory(HostSpec spec) {
        this.hostName = spec.name();
        this.pageSize = spec.pageSize();
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

    boolean hasNode(int id) {
        return id >= 0 && id < nodeIdLimit && nodes.stream().anyMatch(n -> n.id() == id);
    }

    /** A new object of {@code pages} pages, none present, whose contents are seeded by the host and a key. */
    MemoryObject newObject(long pages, String key) {
        return new MemoryObject(pages, PageDigest.mix(hostName.hashCode() * 31L + key.hashCode()));
    }

    /** Lays out resident pages from page 0 in node order (a placement the rules checked); returns how many. */
    long lay(MemoryObject object, Map<Integer, Long> placement) {
        long page = 0;
        for (var entry : new TreeMap<>(placement).entrySet()) {
            int node = entry.getKey();
            long count = entry.getValue();
            object.placement.fill(page, page + count, node);
            used[node] += count;
            page += count;
        }
        object.allocCursor = page;
        return page;
    }

    Topology topology() {
        List<Node> view = nodes.stream()
                .map(n -> new Node(n.id(), capacity[n.id()], capacity[n.id()] - used[n.id()], n.cpus()))
                .toList();
        int[][] matrix = new int[nodes.size()][nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = 0; j < nodes.size(); j++) {
                matrix[i][j] = distances[nodes.get(i).id()][nodes.get(j).id()];
            }
        }
        return new Topology(pageSize, view, matrix);
    }

    long freePages(int node) {
        return capacity[node] - used[node];
    }

    /** The bytes of one memory block, as on x86-64 Linux: what goes offline or online at once. */
    static final long BLOCK_BYTES = 128L << 20;

    /**
     * Takes a removable node's memory offline (its capacity becomes 0) when no page is on it, or
     * brings it online (its capacity back): all its blocks at once. A node that is not removable
     * stays online and refuses to go offline with {@code EBUSY}.
     */
    MemoryBlocks setMemory(int node, MemoryState state) {
        NodeSpec spec = nodes.stream()
                .filter(n -> n.id() == node)
                .findFirst()
                .orElseThrow(() -> new BackendException(Errno.ENODEV, "no node " + node + " on host " + hostName));
        int blocks = (int) Math.max(1, Math.ceilDiv(spec.capacityPages() * pageSize, BLOCK_BYTES));
        if (state == MemoryState.ONLINE) {
            capacity[node] = spec.capacityPages();
            return new MemoryBlocks(node, state, blocks, blocks, null, null);
        }
        int offline = capacity[node] == 0 ? blocks : 0;
        if (!spec.removable()) {
            return new MemoryBlocks(
                    node,
                    state,
                    blocks,
                    offline,
                    Errno.EBUSY,
                    "node " + node + " is not removable: its memory" + " holds what cannot move");
        }
        if (used[node] > 0) {
            return new MemoryBlocks(
                    node, state, blocks, offline, Errno.EBUSY, used[node] + " pages are still on node " + node);
        }
        capacity[node] = 0;
        return new MemoryBlocks(node, state, blocks, blocks, null, null);
    }

    void census(SimVma v, long fromPage, long toPage, Census census) {
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
    static boolean aligned(SimVma v) {
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
        // 1 for a node whose pages are to move, so that a word's pending bits need no branch.
        long[] movingBit = new long[onNode.length];
        if (moving != null) {
            for (int a = 0; a < moving.length; a++) {
                movingBit[a] = moving[a] ? 1 : 0;
            }
        }
        long pinnedBelow = object.pinnedUpTo - chunkStart;
        // The whole words' counts, per node byte (an array of 256, which the compiler knows needs
        // no bounds check), added to the census at the end.
        int[] histogram = new int[256];
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
            int first = w << 6;
            if (bits == -1L && first >= pinnedBelow && (baselineWords == null || known == -1L)) {
                // 64 present pages, none pinned, none new: a count per byte and no bit work, or
                // one count when they are on one node.
                int same = PagePlacement.nodeOfWord(nodes, first);
                if (same != PagePlacement.ABSENT) {
                    onNode[same] += 64;
                    if (pendingWords != null) {
                        pendingWords[w] |= -movingBit[same];
                    }
                    continue;
                }
                if (pendingWords == null) {
                    for (int j = 0; j < 64; j++) {
                        histogram[nodes[first + j] & 0xFF]++;
                    }
                    continue;
                }
                long pendingBits = 0;
                for (int j = 0; j < 64; j++) {
                    int node = nodes[first + j] & 0xFF;
                    histogram[node]++;
                    pendingBits |= movingBit[node] << j;
                }
                pendingWords[w] |= pendingBits;
                continue;
            }
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
        for (int a = 0; a < Math.min(onNode.length, histogram.length); a++) {
            onNode[a] += histogram[a];
        }
    }

    /** The bits of word {@code w} that fall in {@code [from, to)}. */
    static long wordMask(int w, int from, int to) {
        int lo = Math.max(from - (w << 6), 0);
        int hi = Math.min(to - (w << 6), 64);
        long upper = hi == 64 ? -1L : (1L << hi) - 1;
        return upper & (-1L << lo);
    }

    long digest(SimVma v, long fromPage, long toPage, PageSet pages) {
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
                        present ? MemoryObject.CONTENT_STEP : 0,
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
                sum += DIGEST.term(address, isPresent ? firstContent + i * MemoryObject.CONTENT_STEP : 0);
            }
        }
        return sum;
    }

    /** The end of the segment from {@code page} that lies in one placement chunk and one page-set block. */
    static long segmentEnd(long page, long toPage, long objectPage, long chunkEnd) {
        long blockEnd = ((page >>> PageSet.BLOCK_SHIFT) + 1) << PageSet.BLOCK_SHIFT;
        return Math.min(toPage, Math.min(blockEnd, page + (chunkEnd - objectPage)));
    }

    // ---- what tests and benchmarks observe ----

    /** The node of the page at an address of a VMA, or -1 when it is not present. */
    int nodeOf(SimVma v, long address) {
        return v.object.placement.node(v.offset + (address - v.start) / pageSize);
    }

    /** The content of the page at an address of a VMA, or 0 when it is not present. */
    long contentOf(SimVma v, long address) {
        long page = v.offset + (address - v.start) / pageSize;
        return v.object.placement.node(page) == PagePlacement.ABSENT ? 0 : v.object.content(page);
    }

    /** Resident pages of VMAs per node. */
    SortedMap<Integer, Long> placement(List<SimVma> vmas) {
        SortedMap<Integer, Long> result = new TreeMap<>();
        for (SimVma v : vmas) {
            for (long page = 0; page < v.pages; page++) {
                int node = v.object.placement.node(v.offset + page);
                if (node != PagePlacement.ABSENT) {
                    result.merge(node, 1L, Long::sum);
                }
            }
        }
        return result;
    }

    /** Lays the pages of a private VMA out again, page by page ({@code -1} for not present). */
    void relayout(SimVma v, LongToIntFunction nodeOfPage) {
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

    // ---- concurrency of the running processes ----

    /** One migration step: every running process allocates its pages where its policy says. */
    void allocateStep(Collection<SimProcess> processes) {
        for (SimProcess process : processes) {
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
}
