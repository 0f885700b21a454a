package io.numashift.dispatch;

import io.numashift.jobs.JobChanged;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/** Wakes the agents waiting in a lease request as soon as work for their host is committed. */
@Component
public class WorkSignals {
    private final Map<String, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();

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
