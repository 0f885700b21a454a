package io.numashift.jobs;

import java.util.List;

/** A job names hosts that no agent ever registered (code {@code UNKNOWN_HOST}). */
public class UnknownHostsException extends RuntimeException {
    private final List<String> hosts;

    public UnknownHostsException(List<String> hosts) {
        super("no agent has registered host" + (hosts.size() == 1 ? " " : "s ") + String.join(", ", hosts));
        this.hosts = List.copyOf(hosts);
    }

    public List<String> hosts() {
        return hosts;
    }
}
