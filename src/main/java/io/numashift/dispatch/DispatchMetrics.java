package io.numashift.dispatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.numashift.jobs.HostTask;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** The metrics of dispatch: task durations, pages moved, lease expirations. */
@Component
public class DispatchMetrics {
    private final MeterRegistry registry;
    private final Counter pagesMoved;
    private final Counter leaseExpirations;

    DispatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.pagesMoved = Counter.builder("numashift.pages.moved")
                .description("Pages moved by finished tasks")
                .register(registry);
        this.leaseExpirations = Counter.builder("numashift.lease.expirations")
                .description("Leases that ran out without a heartbeat")
                .register(registry);
    }

    void leaseExpired() {
        leaseExpirations.increment();
    }

    void taskFinished(HostTask task) {
        pagesMoved.increment(task.pagesMoved());
        if (task.startedAt() != null && task.finishedAt() != null) {
            Timer.builder("numashift.task.duration")
                    .description("From the first lease of a task to its end")
                    .tag("state", task.state().name())
                    .register(registry)
                    .record(Duration.between(task.startedAt(), task.finishedAt()));
        }
    }
}
