package io.numashift.dispatch;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Looks for expired leases and away hosts at a fixed pace, and wakes the agents of hosts that have
 * pending work (which another replica may have created).
 */
@Component
class Reaper {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    private final Dispatcher dispatcher;
    private final WorkSignals signals;

    Reaper(Dispatcher dispatcher, WorkSignals signals) {
        this.dispatcher = dispatcher;
        this.signals = signals;
    }

    @Scheduled(fixedDelayString = "${numashift.dispatch.reap-interval:1s}")
    void reap() {
        try {
            dispatcher.reap();
            long since = System.nanoTime();
            List<String> withWork = dispatcher.hostsWithPendingTasks();
            signals.refresh(since, withWork);
            withWork.forEach(signals::wake);
        } catch (RuntimeException e) {
            // The database may be away for a while; the next round tries again.
            log.warn("reaping failed: {}", e.toString());
        }
    }
}
