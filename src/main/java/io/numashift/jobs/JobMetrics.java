package io.numashift.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/** Counts jobs submitted and jobs finished by state, once their change committed. */
@Component
class JobMetrics {
    private final MeterRegistry registry;

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @TransactionalEventListener
    void on(JobChanged change) {
        if (change.endedIn() != null) {
            Counter.builder("numashift.jobs.finished")
                    .description("Jobs that ended, by state")
                    .tag("state", change.endedIn().name())
                    .register(registry)
                    .increment();
        }
    }

    void submitted() {
        Counter.builder("numashift.jobs.submitted")
                .description("Jobs submitted")
                .register(registry)
                .increment();
    }
}
