package io.numashift.core.backend;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One pass of page moves over a VMA range, handed by the engine to {@link NumaBackend#movePass}.
 *
 * <p>For every page of the range that is in {@link #pending}, the backend reads its node {@code a}
 * (pending pages are still on the node they started on) and, if {@code target[a] >= 0} and
 * {@code quota[a] > 0}, moves it to {@code target[a]}: on success it removes the page from
 * {@code pending}, decrements {@code quota[a]} and counts it in {@link #movedFrom} (and
 * in {@link #log}, when there is one); a pinned page is removed from {@code pending} and counted in {@link #busyFrom};
 * a page that another process also maps, when {@link #moveShared} is off and the backend only
 * learns that while moving (the kernel refuses it), is removed from {@code pending} and counted
 * in {@link #sharedFrom};
 * a page whose target has no free page stays pending, and the backend marks the target in
 * {@link #targetFull} and moves no more pages to it in this call. The first page of a source that
 * stays pending (quota spent or target full) is recorded in {@link #leftAt}. A pending page that
 * the backend finds on a node outside {@link #moving} was moved off its node by someone else since
 * the census (the kernel's NUMA balancing, reclaim and a fault that read it in again): it is
 * removed from {@code pending} and counted in {@link #movedAway}, whatever node it came from.
 *
 * <p>Arrays are indexed by node id. The engine resets the outputs with {@link #resetCall} before
 * each call.
 */
public final class MovePass {
    public static final long NONE = Long.MAX_VALUE;

    public final int nodeIdLimit;
    public final int[] target;
    public final long[] quota;
    public PageSet pending;
    public int vmaIndex;
    public @Nullable MoveLog log;
    /**
     * The nodes whose pages the migration moves, by node id (a pending page starts on one of them);
     * null when any node may hold pending pages (a rollback), and then no page counts as moved away.
     */
    public boolean @Nullable [] moving;
    /** Whether pages that other processes also map may move ({@code MPOL_MF_MOVE_ALL} on Linux). */
    public boolean moveShared;

    public final long[] movedFrom;
    public final long[] busyFrom;
    public final long[] sharedFrom;
    public final long[] leftAt;
    public final boolean[] targetFull;
    /** Pending pages found on a node that is not a source: moved by someone else. */
    public long movedAway;

    public MovePass(int nodeIdLimit, PageSet pending) {
        this.nodeIdLimit = nodeIdLimit;
        this.target = new int[nodeIdLimit];
        this.quota = new long[nodeIdLimit];
        this.pending = pending;
        this.movedFrom = new long[nodeIdLimit];
        this.busyFrom = new long[nodeIdLimit];
        this.sharedFrom = new long[nodeIdLimit];
        this.leftAt = new long[nodeIdLimit];
        this.targetFull = new boolean[nodeIdLimit];
        Arrays.fill(target, -1);
        resetCall();
    }

    /** Clears the outputs of one call. */
    public void resetCall() {
        Arrays.fill(movedFrom, 0);
        Arrays.fill(busyFrom, 0);
        Arrays.fill(sharedFrom, 0);
        Arrays.fill(leftAt, NONE);
        Arrays.fill(targetFull, false);
        movedAway = 0;
    }

    /** Records that a page of source {@code node} at {@code page} was left pending. */
    public void left(int node, long page) {
        if (leftAt[node] > page) {
            leftAt[node] = page;
        }
    }

    /** Whether any source still has quota for a target that is not full. */
    public boolean hasWork() {
        for (int a = 0; a < nodeIdLimit; a++) {
            if (quota[a] > 0 && target[a] >= 0 && !targetFull[target[a]]) {
                return true;
            }
        }
        return false;
    }
}
