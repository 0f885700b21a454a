package io.numashift.linux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The page buffers of a backend, one per lane, and the threads that run the lanes' system calls
 * side by side. The kernel migrates and reads a process's pages under its mmap lock taken for
 * reading, so calls about disjoint page ranges of one process run in parallel.
 *
 * <p>A caller hands out disjoint work to lanes {@code 0..n-1} with {@link #run}; lane 0 runs on the
 * calling thread, the others on the pool. One caller at a time: the backend holds this object's
 * lock around every use.
 */
final class Lanes {
    /** The most lanes a backend has, whatever the setting. */
    static final int MAX = 64;
    /** Lanes by default: one per CPU, at most this many (the kernel's LRU and zone locks limit more). */
    static final int DEFAULT_MAX = 4;

    private static final Duration IDLE = Duration.ofSeconds(30);

    /** A lane's share of a round. */
    @FunctionalInterface
    interface Work {
        void run(PageBatch lane, int index);
    }

    private final PageBatch[] lanes;
    private final @Nullable ExecutorService pool;

    Lanes(int count, IntFunction<PageBatch> buffers) {
        if (count < 1 || count > MAX) {
            throw new IllegalArgumentException("lanes must be 1 to " + MAX + ", not " + count);
        }
        this.lanes = new PageBatch[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = buffers.apply(i);
        }
        if (count == 1) {
            this.pool = null;
        } else {
            // Threads that end when idle, so that a backend nobody uses holds none.
            ThreadPoolExecutor threads = new ThreadPoolExecutor(
                    count - 1,
                    count - 1,
                    IDLE.toSeconds(),
                    TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(),
                    Thread.ofPlatform().name("numashift-pages-", 1).daemon().factory());
            threads.allowCoreThreadTimeOut(true);
            this.pool = threads;
        }
    }

    /** The lanes of a host with this many CPUs when no setting says otherwise. */
    static int defaultCount(int cpus) {
        return Math.clamp(cpus, 1, DEFAULT_MAX);
    }

    int size() {
        return lanes.length;
    }

    PageBatch lane(int i) {
        return lanes[i];
    }

    /**
     * Runs {@code work} on lanes {@code 0..n-1} at once and returns when all are done; the first
     * failure (by lane order) is thrown after every lane has finished, so no lane is still using
     * its buffers when the caller goes on.
     */
    void run(int n, Work work) {
        if (n == 1 || pool == null) {
            for (int i = 0; i < n; i++) {
                work.run(lanes[i], i);
            }
            return;
        }
        List<Future<?>> others = new ArrayList<>(n - 1);
        for (int i = 1; i < n; i++) {
            int index = i;
            others.add(pool.submit(() -> work.run(lanes[index], index)));
        }
        RuntimeException failure = null;
        try {
            work.run(lanes[0], 0);
        } catch (RuntimeException e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> other : others) {
            while (true) {
                try {
                    other.get();
                    break;
                } catch (InterruptedException e) {
                    // The lanes use the shared buffers: wait for them all the same, then re-assert.
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r
                                ? r
                                : new IllegalStateException(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
