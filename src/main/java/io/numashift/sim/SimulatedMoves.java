package io.numashift.sim;

import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.PageSet;

/**
 * Page moves on a simulated host's memory: a uniform run of pending pages moves at once, a dense
 * chunk a word of 64 pages at a time, anything else page by page; each move allocates on the
 * target before the source is freed, within the target's capacity. With {@code pagesPerSecond >
 * 0}, {@link #pace} waits so that moves keep that rate, like a real copy.
 *
 * <p>{@link #move} is called under the host's lock; {@link #pace} outside it, and locks itself.
 */
final class SimulatedMoves {
    private final long[] capacity;
    private final long[] used;
    private final double pagesPerSecond;
    private final PaceClock clock;
    private long pacedUntil;

    SimulatedMoves(SimulatedMemory memory, double pagesPerSecond, PaceClock clock) {
        this.capacity = memory.capacity;
        this.used = memory.used;
        this.pagesPerSecond = pagesPerSecond;
        this.clock = clock;
    }

    /**
     * Moves the pending pages of {@code [fromPage, toPage)} of a VMA as {@link MovePass} says;
     * returns where it stopped when every quota was spent, else {@code toPage}.
     */
    long move(SimVma v, long fromPage, long toPage, MovePass pass) {
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
            long end = SimulatedMemory.segmentEnd(page, toPage, objectPage, placement.chunkEnd(chunk));
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
            if (uniformNode == PagePlacement.ABSENT && !placement.isUniform(chunk) && SimulatedMemory.aligned(v)) {
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
            long mask = SimulatedMemory.wordMask(w, from, to);
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

    /** Waits, outside the host's lock, so that moves keep to {@code pagesPerSecond}. */
    void pace(long movedPages) {
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

    /** The sum of the values. */
    static long total(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }
}
