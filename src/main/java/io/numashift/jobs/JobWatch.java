package io.numashift.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Lets readers wait for a job to change: blocking reads and event streams. Changes made by this
 * replica wake waiters when they commit; changes made by other replicas sharing the database, when
 * their notification arrives ({@link ReplicaNotifications}).
 */
@Component
public class JobWatch implements SmartLifecycle {
    private final Map<UUID, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();
    private final JobService jobs;
    private volatile boolean running;

    JobWatch(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Answers every waiting reader, before the web server's graceful shutdown waits for them. */
    @Override
    public void stop() {
        running = false;
        signals.values().forEach(s -> s.complete(null));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    public boolean closing() {
        return !running;
    }

    @TransactionalEventListener
    void on(JobChanged change) {
        wake(change.jobId());
    }

    @EventListener
    void on(ChangedElsewhere change) {
        if (change.anythingMayHaveChanged()) {
            signals.keySet().forEach(this::wake);
        } else {
            wake(change.jobId());
        }
    }

    private void wake(UUID jobId) {
        CompletableFuture<Void> signal = signals.remove(jobId);
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
            if (version > index || left <= 0 || !running) {
                return version;
            }
            try {
                signal.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // The wait is over: answer with the version as it is.
            }
        }
    }
}
