package io.numashift.core;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Holds a migration to at most a rate ({@code maxMiBPerSecond}), so that the process it moves
 * hardly notices: its batches cover at most what the rate moves in {@link #SLICE_NANOS}, and after
 * each batch it waits until the pages moved so far could have been moved at that rate. The moves
 * come in short slices spread over time, not in bursts that hold the process's pages and take the
 * memory bandwidth it needs. The wait is cut into steps of at most {@link #STEP_NANOS} that look for
 * a cancel.
 */
final class RateCap {
    /** What one batch may take of the rate: 50 ms of moves. */
    static final long SLICE_NANOS = 50_000_000L;

    /** The longest the cap waits without looking for a cancel. */
    static final long STEP_NANOS = 100_000_000L;

    /** How a cap waits by default: for the nanoseconds given, or less when interrupted. */
    static final LongConsumer PARK = LockSupport::parkNanos;

    private final double pagesPerSecond;
    private final LongSupplier nanoTime;
    private final LongConsumer pause;
    private long start;

    private RateCap(double pagesPerSecond, LongSupplier nanoTime, LongConsumer pause) {
        this.pagesPerSecond = pagesPerSecond;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    /** The cap of {@code maxMiBPerSecond} (none when null) on a host of {@code pageSize}-byte pages. */
    static RateCap of(@Nullable Integer maxMiBPerSecond, int pageSize, LongSupplier nanoTime, LongConsumer pause) {
        double pages = maxMiBPerSecond == null ? Double.POSITIVE_INFINITY : maxMiBPerSecond * 1048576.0 / pageSize;
        return new RateCap(pages, nanoTime, pause);
    }

    boolean capped() {
        return pagesPerSecond != Double.POSITIVE_INFINITY;
    }

    /** The most pages a batch may cover. */
    long slicePages() {
        return capped() ? (long) Math.max(1, pagesPerSecond * SLICE_NANOS / 1e9) : Long.MAX_VALUE;
    }

    /** The moves begin now. */
    RateCap begin() {
        start = nanoTime.getAsLong();
        return this;
    }

    /** Nanoseconds since {@link #begin}. */
    long elapsed() {
        return nanoTime.getAsLong() - start;
    }

    /**
     * Waits until the pages moved so far are due at the rate, or a cancel is asked, or the thread
     * is interrupted. Without a cap it returns at once, without counting the pages moved (a sum
     * over every pair of nodes).
     */
    void hold(LongSupplier moved, BooleanSupplier cancelled) {
        if (!capped()) {
            return;
        }
        long due = start + (long) Math.min(Long.MAX_VALUE / 2.0, moved.getAsLong() / pagesPerSecond * 1e9);
        while (!cancelled.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            long left = due - nanoTime.getAsLong();
            if (left <= 0) {
                return;
            }
            pause.accept(Math.min(left, STEP_NANOS));
        }
    }
}
