package io.numashift.protocol;

import java.time.Instant;

/**
 * The service's answer to a heartbeat.
 *
 * @param cancelRequested whether the job was cancelled: stop at the next batch
 * @param leaseExpiresAt the renewed lease's end
 */
public record HeartbeatAnswer(boolean cancelRequested, Instant leaseExpiresAt) {}
