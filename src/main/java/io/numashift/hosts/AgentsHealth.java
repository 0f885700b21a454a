package io.numashift.hosts;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Ready only when at least one host's agent is online: without one, no job can run. */
@Component("agents")
class AgentsHealth implements HealthIndicator {
    private final HostRegistry hosts;

    AgentsHealth(HostRegistry hosts) {
        this.hosts = hosts;
    }

    @Override
    public Health health() {
        long online = hosts.all().stream()
                .filter(h -> hosts.state(h) == HostState.ONLINE)
                .count();
        return (online > 0 ? Health.up() : Health.outOfService())
                .withDetail("online", online)
                .build();
    }
}
