package io.numashift.hosts;

/** Whether a host's agent is around. */
public enum HostState {
    /** Seen recently. */
    ONLINE,
    /** Heartbeats missed. */
    UNKNOWN,
    /** Gone past the limit: its pending tasks fail with {@code HOST_UNAVAILABLE}. */
    OFFLINE
}
