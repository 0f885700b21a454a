package io.numashift.dispatch;

import io.numashift.jobs.ChangedElsewhere;
import io.numashift.jobs.JobChanged;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Wakes the agents waiting in a lease request as soon as work for their host is committed, and
 * tells which hosts may have work, so that an idle agent's lease request asks the database
 * nothing. A host may have work when a change committed here or on another replica made a task of
 * it pending, or when the last look at the database ({@link #refresh}, every second) found one;
 * until the first look, and after a notification from other replicas may have been missed, every
 * host may.
 */
@Component
public class WorkSignals implements SmartLifecycle {
    private final Map<String, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();
    /** Hosts that may have a pending task, with when that became known ({@code System.nanoTime}). */
    private final Map<String, Long> mayHaveWork = new ConcurrentHashMap<>();

    private volatile boolean looked;
    private volatile boolean running;

    /** Whether the host may have a pending task: a lease request then looks in the database. */
    public boolean mayHaveWork(String host) {
        return !looked || mayHaveWork.containsKey(host);
    }

    /**
     * What a look at the database that began at {@code since} ({@code System.nanoTime}) found: the
     * hosts with pending tasks then. A host marked after the look began keeps its mark.
     */
    public void refresh(long since, Collection<String> hostsWithWork) {
        for (String host : hostsWithWork) {
            mayHaveWork.merge(host, since, Math::max);
        }
        Set<String> found = Set.copyOf(hostsWithWork);
        mayHaveWork.entrySet().removeIf(e -> !found.contains(e.getKey()) && e.getValue() - since < 0);
        looked = true;
    }

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
        workFor(change.hostsWithWork());
    }

    /** Another replica made work: for its hosts, or for any host when it cannot say. */
    @EventListener
    void on(ChangedElsewhere change) {
        if (change.anythingMayHaveChanged()) {
            looked = false;
            signals.keySet().forEach(this::wake);
        } else {
            workFor(change.hostsWithWork());
        }
    }

    private void workFor(Set<String> hosts) {
        long now = System.nanoTime();
        for (String host : hosts) {
            mayHaveWork.put(host, now);
            wake(host);
        }
    }
}
