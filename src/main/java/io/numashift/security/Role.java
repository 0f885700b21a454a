package io.numashift.security;

/** What a token may do. */
public enum Role {
    /** Read jobs, hosts, metrics, events. */
    VIEWER,
    /** What a viewer may, and submit, cancel and retry jobs: the migrate privilege. */
    OPERATOR,
    /** The agent protocol, for the hosts the token names. */
    AGENT
}
