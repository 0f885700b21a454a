package io.numashift.dispatch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How tasks are handed to agents.
 *
 * @param leaseDuration how long a lease lasts without a heartbeat
 * @param heartbeatInterval how often agents send progress and renew their lease
 * @param maxAttempts how many times a task is leased before it fails with {@code AGENT_LOST}
 * @param tasksPerHost how many tasks one host runs at a time
 * @param maxLeaseWait the longest an agent's lease request may wait for work
 * @param reapInterval how often expired leases and away hosts are looked for
 */
@ConfigurationProperties("numashift.dispatch")
public record DispatchSettings(
        @DefaultValue("30s") Duration leaseDuration,
        @DefaultValue("1s") Duration heartbeatInterval,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("1") int tasksPerHost,
        @DefaultValue("60s") Duration maxLeaseWait,
        @DefaultValue("1s") Duration reapInterval) {}
