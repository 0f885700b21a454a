package io.numashift.hosts;

import io.numashift.protocol.HostTopology;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registers hosts as their agents announce them, and tells who is around. */
@Service
public class HostRegistry {
    private final Hosts hosts;
    private final HostSettings settings;
    private final InstantSource clock;

    HostRegistry(Hosts hosts, HostSettings settings, InstantSource clock) {
        this.hosts = hosts;
        this.settings = settings;
        this.clock = clock;
    }

    @Transactional
    public Host register(String name, String backend, String agentVersion, int pageSize, HostTopology topology) {
        var now = clock.instant();
        Host host = hosts.findById(name).orElse(null);
        if (host == null) {
            return hosts.save(new Host(name, backend, agentVersion, pageSize, topology, now));
        }
        host.register(backend, agentVersion, pageSize, topology, now);
        return host;
    }

    /** The agent of a host showed a sign of life. */
    @Transactional
    public void seen(String name) {
        hosts.findById(name).ifPresent(h -> h.seen(clock.instant()));
    }

    /** The agent of a host showed a sign of life with its latest topology. */
    @Transactional
    public void seen(String name, HostTopology topology) {
        hosts.findById(name).ifPresent(h -> h.seen(clock.instant(), topology));
    }

    @Transactional(readOnly = true)
    public List<Host> all() {
        return hosts.findAll(org.springframework.data.domain.Sort.by("name"));
    }

    /** Up to {@code limit} hosts by name, after {@code after} (exclusive) when given. */
    @Transactional(readOnly = true)
    public List<Host> page(@Nullable String after, int limit) {
        var byName = org.springframework.data.domain.PageRequest.of(
                0, limit, org.springframework.data.domain.Sort.by("name"));
        return after == null ? hosts.findAll(byName).getContent() : hosts.findByNameGreaterThan(after, byName);
    }

    @Transactional(readOnly = true)
    public Optional<Host> find(String name) {
        return hosts.findById(name);
    }

    /** Of these names, those that no agent ever registered. */
    @Transactional(readOnly = true)
    public List<String> unknown(Collection<String> names) {
        TreeSet<String> missing = new TreeSet<>(names);
        hosts.registeredAmong(names).forEach(missing::remove);
        return List.copyOf(missing);
    }

    /** The page size of each of these hosts that registered. */
    @Transactional(readOnly = true)
    public java.util.Map<String, Integer> pageSizes(Collection<String> names) {
        java.util.Map<String, Integer> sizes = new java.util.TreeMap<>();
        for (Object[] row : hosts.pageSizesOf(names)) {
            sizes.put((String) row[0], (Integer) row[1]);
        }
        return sizes;
    }

    /** The names of the hosts that are {@code OFFLINE}. */
    @Transactional(readOnly = true)
    public List<String> offline() {
        return hosts.namesSeenBefore(clock.instant().minus(settings.offlineAfter()));
    }

    /** How many hosts are in each state, counted by the database. */
    @Transactional(readOnly = true)
    public java.util.Map<HostState, Long> countByState() {
        var now = clock.instant();
        long all = hosts.count();
        long notOnline = hosts.countByLastSeenAtBefore(now.minus(settings.unknownAfter()));
        long offline = hosts.countByLastSeenAtBefore(now.minus(settings.offlineAfter()));
        return java.util.Map.of(
                HostState.ONLINE, all - notOnline, HostState.UNKNOWN, notOnline - offline, HostState.OFFLINE, offline);
    }

    public HostState state(Host host) {
        return host.state(clock.instant(), settings.unknownAfter(), settings.offlineAfter());
    }
}
