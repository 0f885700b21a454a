package io.numashift.hosts;

import io.numashift.protocol.HostTopology;
import io.numashift.storage.JsonColumn;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.Instant;
import tools.jackson.core.type.TypeReference;

/** A host as its agent registered it, and when the agent was last seen. */
@Entity
@Table(name = "hosts")
public class Host {
    @Id
    private String name;

    private String backend;
    private String agentVersion;
    private int pageSize;

    @Convert(converter = TopologyColumn.class)
    private HostTopology topology;

    private Instant registeredAt;
    private Instant lastSeenAt;

    protected Host() {
        this.name = "";
        this.backend = "";
        this.agentVersion = "";
        this.topology = new HostTopology(java.util.List.of(), java.util.List.of());
        this.registeredAt = Instant.EPOCH;
        this.lastSeenAt = Instant.EPOCH;
    }

    public Host(String name, String backend, String agentVersion, int pageSize, HostTopology topology, Instant now) {
        this.name = name;
        this.backend = backend;
        this.agentVersion = agentVersion;
        this.pageSize = pageSize;
        this.topology = topology;
        this.registeredAt = now;
        this.lastSeenAt = now;
    }

    void register(String backend, String agentVersion, int pageSize, HostTopology topology, Instant now) {
        this.backend = backend;
        this.agentVersion = agentVersion;
        this.pageSize = pageSize;
        this.topology = topology;
        this.lastSeenAt = now;
    }

    void seen(Instant now, HostTopology latest) {
        this.lastSeenAt = now;
        this.topology = latest;
    }

    void seen(Instant now) {
        this.lastSeenAt = now;
    }

    /** ONLINE when seen within {@code unknownAfter}, OFFLINE past {@code offlineAfter}, UNKNOWN between. */
    static HostState state(Instant lastSeenAt, Instant now, Duration unknownAfter, Duration offlineAfter) {
        Duration away = Duration.between(lastSeenAt, now);
        if (away.compareTo(offlineAfter) > 0) {
            return HostState.OFFLINE;
        }
        return away.compareTo(unknownAfter) > 0 ? HostState.UNKNOWN : HostState.ONLINE;
    }

    public String name() {
        return name;
    }

    public String backend() {
        return backend;
    }

    public String agentVersion() {
        return agentVersion;
    }

    public int pageSize() {
        return pageSize;
    }

    public HostTopology topology() {
        return topology;
    }

    public Instant registeredAt() {
        return registeredAt;
    }

    public Instant lastSeenAt() {
        return lastSeenAt;
    }

    static final class TopologyColumn extends JsonColumn<HostTopology> {
        TopologyColumn() {
            super(new TypeReference<>() {}, new HostTopology(java.util.List.of(), java.util.List.of()));
        }
    }
}
