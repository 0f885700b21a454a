package io.numashift.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Lets readers wait for a job to change: blocking reads and event streams. Changes made by this
 * replica wake waiters at once; a short poll of the job's version catches changes made by others.
 */
@Component
public class JobWatch {
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<UUID, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();
    private final JobService jobs;

    JobWatch(JobService jobs) {
        this.jobs = jobs;
    }

    @TransactionalEventListener
    void on(JobChanged change) {
        CompletableFuture<Void> signal = signals.remove(change.jobId());
        if (signal != null) {
            signal.complete(null);
        }
    }

    /**
     * Waits until the job's version exceeds {@code index} or the wait is over.
     *
     * @return the job's version when it returns
     * @throws JobNotFoundException when there is no such job
     */
    public long awaitVersionAbove(UUID id, long index, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            CompletableFuture<Void> signal = signals.computeIfAbsent(id, k -> new CompletableFuture<>());
            long version = jobs.version(id);
            long left = deadline - System.nanoTime();
            if (version > index || left <= 0) {
                return version;
            }
            try {
                signal.get(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // Poll again: another replica may have changed the job.
            }
        }
    }
}
