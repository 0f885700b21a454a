package io.numashift.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What an engine told its caller, with the {@link SimulatedTime} of each report, and a cancel that
 * comes at a given simulated time.
 */
final class ReportsInTime implements MigrationMonitor {
    final SimulatedTime time;
    final long cancelAt;
    final List<Long> at = new ArrayList<>();
    final List<Long> done = new ArrayList<>();

    ReportsInTime(SimulatedTime time, long cancelAt) {
        this.time = time;
        this.cancelAt = cancelAt;
    }

    @Override
    public void progress(int pid, long pagesDone, long pagesToMove) {
        at.add(time.now);
        done.add(pagesDone);
    }

    @Override
    public boolean cancelRequested() {
        return time.now >= cancelAt;
    }

    /** Pages finished by each batch, in order. */
    List<Long> batches() {
        List<Long> sizes = new ArrayList<>();
        for (int i = 1; i < done.size(); i++) {
            sizes.add(done.get(i) - done.get(i - 1));
        }
        return sizes;
    }

    /** The longest time between two reports. */
    long longestGap() {
        long longest = 0;
        for (int i = 1; i < at.size(); i++) {
            longest = Math.max(longest, at.get(i) - at.get(i - 1));
        }
        return longest;
    }

    /** The most pages one batch finished. */
    long largest() {
        return batches().stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
