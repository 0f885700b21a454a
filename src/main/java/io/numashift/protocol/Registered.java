package io.numashift.protocol;

/**
 * The service's answer to a registration: the intervals the agent keeps to (ISO-8601 durations).
 *
 * @param host the host registered
 * @param heartbeatInterval how often to heartbeat a running task
 * @param leaseDuration how long a lease lasts without a heartbeat
 */
public record Registered(String host, String heartbeatInterval, String leaseDuration) {}
