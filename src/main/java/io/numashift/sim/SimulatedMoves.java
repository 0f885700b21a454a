package io.numashift.sim;

import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.PageSet;
import java.util.Arrays;

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
    /**
     * Per node id, scratch of {@link #moveDense}: what a source may still move, what a node has room
     * for, what a source was given to move.
     */
    private final long[] budget;

    private final long[] room;
    private final long[] granted;

    SimulatedMoves(SimulatedMemory memory, double pagesPerSecond, PaceClock clock) {
        this.capacity = memory.capacity;
        this.used = memory.used;
        this.pagesPerSecond = pagesPerSecond;
        this.clock = clock;
        this.budget = new long[capacity.length];
        this.room = new long[capacity.length];
        this.granted = new long[capacity.length];
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
                if (movedAway(pass, a)) {
                    // Moved off its node since the census (a test's relayout): not ours to move.
                    pending.clear(page, end);
                    pass.movedAway += end - page;
                    page = end;
                    continue;
                }
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

    /** Whether a pending page on node {@code a} was moved there by someone else since the census. */
    private static boolean movedAway(MovePass pass, int a) {
        boolean[] moving = pass.moving;
        return moving != null && !moving[a];
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
            if (movedAway(pass, a)) {
                pending.clear(p);
                pass.movedAway++;
                continue;
            }
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
     * of 64 pages at a time; returns where it stopped when every quota was spent. The checks that
     * do not change from page to page are made once per call: each source's budget (its quota, or
     * none when it cannot move: no target, a full target, moved away) and each node's room; a
     * page then moves when its source has budget, its target room and it is not pinned. When every
     * target has room for all the budgets of its sources (as the scheduler plans a step), the room
     * is not counted page by page. What cannot move that way takes the checks in the order of
     * {@link #movePages}. The counters are written back once, at the end.
     */
    private long moveDense(MemoryObject object, int chunk, long page, long end, MovePass pass) {
        PagePlacement placement = object.placement;
        byte[] nodes = placement.denseNodes(chunk);
        long[] present = placement.presentBits(chunk);
        int block = (int) (page >>> PageSet.BLOCK_SHIFT);
        long blockStart = (long) block << PageSet.BLOCK_SHIFT;
        long pinnedBelow = object.pinnedUpTo - PagePlacement.chunkStart(chunk);
        long[] pending = pass.pending.writableWords(block);
        int[] target = pass.target;
        MoveLog log = pass.log;
        long[] budget = this.budget;
        long[] room = this.room;
        long[] granted = this.granted;
        int n = pass.nodeIdLimit;
        for (int a = 0; a < n; a++) {
            room[a] = capacity[a] - used[a];
        }
        for (int a = 0; a < n; a++) {
            int t = target[a];
            budget[a] = t < 0 || pass.targetFull[t] || movedAway(pass, a) ? 0 : pass.quota[a];
            granted[a] = budget[a];
            if (budget[a] > 0) {
                room[t] -= budget[a];
            }
        }
        boolean roomForAll = true;
        for (int a = 0; a < n; a++) {
            roomForAll &= room[a] >= 0;
            room[a] = capacity[a] - used[a];
        }
        long remaining = remainingQuota(pass);
        int from = (int) (page - blockStart);
        int to = (int) (end - blockStart);
        long stop = end;
        words:
        for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
            long mask = SimulatedMemory.wordMask(w, from, to);
            long bits = pending[w] & present[w] & mask;
            long cleared = pending[w] & ~present[w] & mask;
            int first = w << 6;
            if (bits == -1L && roomForAll && first >= pinnedBelow && log == null && remaining > 64) {
                // 64 pending pages and nothing to count but budgets: no bit work per page, and
                // none at all when they are on one node whose source can move them all.
                int same = PagePlacement.nodeOfWord(nodes, first);
                if (same != PagePlacement.ABSENT && budget[same] >= 64) {
                    Arrays.fill(nodes, first, first + 64, (byte) target[same]);
                    budget[same] -= 64;
                    remaining -= 64;
                    pending[w] = 0;
                    continue;
                }
                for (int j = 0; j < 64; j++) {
                    int i = first + j;
                    int a = nodes[i] & 0xFF;
                    if (budget[a] > 0) {
                        nodes[i] = (byte) target[a];
                        budget[a]--;
                        cleared |= 1L << j;
                        remaining--;
                    } else if (movedAway(pass, a)) {
                        cleared |= 1L << j;
                        pass.movedAway++;
                    } else {
                        pass.left(a, blockStart + i);
                    }
                }
                pending[w] &= ~cleared;
                continue;
            }
            while (bits != 0) {
                long bit = bits & -bits;
                bits ^= bit;
                int i = (w << 6) | Long.numberOfTrailingZeros(bit);
                int a = nodes[i] & 0xFF;
                int t = target[a];
                if (budget[a] > 0 && i >= pinnedBelow && (roomForAll || room[t] > 0)) {
                    nodes[i] = (byte) t;
                    budget[a]--;
                    cleared |= bit;
                    if (!roomForAll) {
                        room[t]--;
                        room[a]++;
                    }
                    if (log != null) {
                        log.add(pass.vmaIndex, blockStart + i, 1, a, t);
                    }
                    if (--remaining == 0) {
                        stop = blockStart + i + 1;
                        pending[w] &= ~cleared;
                        break words;
                    }
                } else if (movedAway(pass, a)) {
                    cleared |= bit;
                    pass.movedAway++;
                } else if (budget[a] == 0) {
                    pass.left(a, blockStart + i);
                } else if (i < pinnedBelow) {
                    cleared |= bit;
                    pass.busyFrom[a]++;
                } else {
                    // The target is full: no source moves to it again in this pass.
                    pass.targetFull[t] = true;
                    for (int b = 0; b < n; b++) {
                        if (target[b] == t) {
                            granted[b] -= budget[b];
                            budget[b] = 0;
                        }
                    }
                    pass.left(a, blockStart + i);
                }
            }
            pending[w] &= ~cleared;
        }
        for (int a = 0; a < n; a++) {
            long k = granted[a] - budget[a];
            if (k > 0) {
                used[target[a]] += k;
                used[a] -= k;
                pass.movedFrom[a] += k;
                pass.quota[a] -= k;
            }
        }
        return stop;
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
