package io.numashift.dispatch;

import io.numashift.jobs.JobChanged;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/** Wakes the agents waiting in a lease request as soon as work for their host is committed. */
@Component
public class WorkSignals implements SmartLifecycle {
    private final Map<String, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();
    private volatile boolean running;

    /** Whether the service is shutting down: waiting agents are answered at once. */
    public boolean closing() {
        return !running;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        signals.keySet().forEach(this::wake);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown, which would otherwise wait out every long poll. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    /** A future that completes when work for the host may have arrived. */
    public CompletableFuture<Void> next(String host) {
        return signals.computeIfAbsent(host, h -> new CompletableFuture<>());
    }

    public void wake(String host) {
        CompletableFuture<Void> signal = signals.remove(host);
        if (signal != null) {
            signal.complete(null);
        }
    }

    @TransactionalEventListener
    void on(JobChanged change) {
        change.hostsWithWork().forEach(this::wake);
    }
}
