package io.numashift.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The service's time, standing still until a test moves it: leases run out and hosts go away
 * exactly when the test says, however slow the machine. Starts at the time of its creation, in
 * microseconds as the database keeps it.
 */
final class SettableClock implements InstantSource {
    private final AtomicReference<Instant> now =
            new AtomicReference<>(Instant.now().truncatedTo(ChronoUnit.MICROS));

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Moves the time forward. */
    void advance(Duration duration) {
        now.updateAndGet(t -> t.plus(duration));
    }

    /** Puts a settable clock in place of the service's system clock. */
    @TestConfiguration(proxyBeanMethods = false)
    static class InPlaceOfTheSystemClock {
        @Bean
        @Primary
        SettableClock settableClock() {
            return new SettableClock();
        }
    }
}
