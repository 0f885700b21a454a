package io.numashift.hosts;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** {@code numashift_hosts{state}}: how many hosts are online, unknown and offline, read at each scrape. */
@Component
class HostMetrics {
    HostMetrics(MeterRegistry registry, HostRegistry hosts) {
        for (HostState state : HostState.values()) {
            Gauge.builder(
                            "numashift.hosts",
                            hosts,
                            h -> h.all().stream()
                                    .filter(host -> h.state(host) == state)
                                    .count())
                    .description("Hosts by state")
                    .tag("state", state.name())
                    .register(registry);
        }
    }
}
