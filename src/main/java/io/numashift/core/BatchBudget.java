package io.numashift.core;

import io.numashift.core.backend.PageSet;
import java.util.OptionalDouble;

/**
 * Where the next batch of a migration ends: at most {@code spanPages} of address space (ending on
 * a multiple of it), and at most as many pages still to move as the host moves in
 * {@link #TARGET_NANOS}, learned from how long the batches before took. Progress, cancellation and
 * a stopping agent act at batch boundaries, so this bound is what makes them take effect within
 * about a second on a host whose copies are slow, while a fast host soon works in whole spans.
 *
 * <p>The first batch of an engine covers what the host moves in the target time when the host
 * knows its pace ({@link io.numashift.core.backend.NumaBackend#knownPagesPerSecond()}), else
 * {@link #FIRST_PAGES} pending pages. After each batch the budget becomes what the measured pace
 * moves in the target time, growing at most {@link #GROWTH} times per batch (so that one batch
 * timed too short on a slow host cannot make the next one long) and shrinking at once. A batch
 * that moved nothing says nothing about the pace and leaves the budget as it was. Not
 * thread-safe: it belongs to one engine.
 */
final class BatchBudget {
    /** How long a batch should take at most: well under a second, a few batches per heartbeat. */
    static final long TARGET_NANOS = 250_000_000L;

    /**
     * Pending pages of an engine's first batch on a host that does not know its pace: 128 ms at
     * 2,000 pages/s, nothing on a fast host.
     */
    static final long FIRST_PAGES = 256;

    /** The most the budget grows from one batch to the next. */
    static final long GROWTH = 8;

    private final int spanPages;
    private final long targetNanos;
    private long pages;

    /** A budget for a host that knows its pace, or not ({@code knownPagesPerSecond} empty). */
    BatchBudget(int spanPages, OptionalDouble knownPagesPerSecond) {
        this(spanPages, firstPages(knownPagesPerSecond), TARGET_NANOS);
    }

    BatchBudget(int spanPages, long firstPages, long targetNanos) {
        if (spanPages <= 0) {
            throw new IllegalArgumentException("batchPages must be positive");
        }
        if (firstPages <= 0 || targetNanos <= 0) {
            throw new IllegalArgumentException("the first budget and the target time must be positive");
        }
        this.spanPages = spanPages;
        this.targetNanos = targetNanos;
        this.pages = Math.min(firstPages, spanPages);
    }

    private static long firstPages(OptionalDouble knownPagesPerSecond) {
        if (knownPagesPerSecond.isEmpty()) {
            return FIRST_PAGES;
        }
        double pages = knownPagesPerSecond.getAsDouble() * TARGET_NANOS / 1e9;
        return (long) Math.max(1, Math.min(Long.MAX_VALUE, pages));
    }

    /** Pages still to move that the next batch may cover. */
    long pages() {
        return pages;
    }

    /**
     * The end of the batch that starts at {@code page} of a unit ending at {@code unitEnd}: the
     * next multiple of the span, or earlier, right after the budget's last pending page.
     */
    long end(PageSet pending, long page, long unitEnd) {
        return end(pending, page, unitEnd, Long.MAX_VALUE);
    }

    /** As {@link #end(PageSet, long, long)}, with at most {@code atMost} pending pages. */
    long end(PageSet pending, long page, long unitEnd, long atMost) {
        long limit = Math.min(pages, atMost);
        long spanEnd = Math.min(unitEnd, (page / spanPages + 1) * spanPages);
        if (spanEnd - page <= limit) {
            return spanEnd;
        }
        return pending.endOfFirst(page, spanEnd, limit);
    }

    /** Learns from a batch that finished {@code pagesDone} pages (moved or failed) in {@code nanos}. */
    void record(long pagesDone, long nanos) {
        if (pagesDone <= 0) {
            return;
        }
        long grown = pages >= spanPages / GROWTH ? spanPages : pages * GROWTH;
        long affordable =
                nanos <= 0 ? Long.MAX_VALUE : (long) Math.min(Long.MAX_VALUE, (double) pagesDone * targetNanos / nanos);
        pages = Math.max(1, Math.min(grown, affordable));
    }
}
