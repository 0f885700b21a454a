package io.numashift.core.backend;

import org.jspecify.annotations.Nullable;

/**
 * What a backend reports of the pages of one VMA range: how many are resident on each node, how
 * many are pinned, how many were never touched; and, when asked, which pages are resident, which
 * are to move, and how many are resident outside a baseline set.
 *
 * <p>A buffer that the engine hands to {@link NumaBackend#census}; the backend adds to its counts
 * and sets bits in its page sets. Arrays are indexed by node id.
 */
public final class Census {
    /** Input: whether pages on a node are to move; null means none are. */
    public final boolean @Nullable [] moving;
    /** Output, optional: every resident page. */
    public final @Nullable PageSet resident;
    /** Output, optional: every resident page on a moving node that is not pinned. */
    public final @Nullable PageSet pending;
    /** Input, optional: pages known before; resident pages outside it are counted in {@link #newOnNode}. */
    public final @Nullable PageSet baseline;

    public long notPresent;
    public final long[] onNode;
    public final long[] pinnedOnNode;
    public final long[] newOnNode;

    public Census(
            int nodeIdLimit,
            boolean @Nullable [] moving,
            @Nullable PageSet resident,
            @Nullable PageSet pending,
            @Nullable PageSet baseline) {
        this.moving = moving;
        this.resident = resident;
        this.pending = pending;
        this.baseline = baseline;
        this.onNode = new long[nodeIdLimit];
        this.pinnedOnNode = new long[nodeIdLimit];
        this.newOnNode = new long[nodeIdLimit];
    }

    public long resident() {
        long total = 0;
        for (long n : onNode) {
            total += n;
        }
        return total;
    }
}
