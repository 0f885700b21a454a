package io.numashift.hosts;

import io.numashift.protocol.HostTopology;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registers hosts as their agents announce them, and tells who is around. Signs of life are
 * gathered in memory and written in one statement per round for all hosts ({@link #writeSeen});
 * only a heartbeat that brings a new topology writes its host at once. A host's state counts the
 * signs of life this replica heard and has not written yet, so that a host whose agent keeps
 * calling stays {@code ONLINE} while the database is away and right after it comes back.
 */
@Service
public class HostRegistry {
    /** The most hosts one statement marks seen. */
    private static final int SEEN_PER_STATEMENT = 5_000;

    private final Hosts hosts;
    private final HostSettings settings;
    private final InstantSource clock;
    private final TransactionTemplate transactions;
    /** Hosts heard from since the last round, with when they were last heard. */
    private final Map<String, Instant> heard = new ConcurrentHashMap<>();
    /** Hosts whose agents wait in a lease request now, with how many requests. */
    private final Map<String, Integer> waiting = new ConcurrentHashMap<>();
    /** Names known to be registered: hosts are never removed. */
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    HostRegistry(Hosts hosts, HostSettings settings, InstantSource clock, TransactionTemplate transactions) {
        this.hosts = hosts;
        this.settings = settings;
        this.clock = clock;
        this.transactions = transactions;
    }

    @Transactional
    public Host register(String name, String backend, String agentVersion, int pageSize, HostTopology topology) {
        var now = clock.instant();
        Host host = hosts.findById(name).orElse(null);
        if (host == null) {
            host = hosts.save(new Host(name, backend, agentVersion, pageSize, topology, now));
        } else {
            host.register(backend, agentVersion, pageSize, topology, now);
        }
        registered.add(name);
        return host;
    }

    /** Whether an agent ever registered the host; asks the database once per name. */
    public boolean isRegistered(String name) {
        if (registered.contains(name)) {
            return true;
        }
        if (hosts.existsById(name)) {
            registered.add(name);
            return true;
        }
        return false;
    }

    /** The agent of a host showed a sign of life: written with the next round. */
    public void seen(String name) {
        heard.put(name, clock.instant());
    }

    /**
     * The agent of a host waits in a lease request: it counts as seen at every round until the
     * returned handle is closed.
     */
    public Waiting waiting(String name) {
        waiting.merge(name, 1, Integer::sum);
        return () -> {
            waiting.computeIfPresent(name, (host, count) -> count == 1 ? null : count - 1);
            seen(name);
        };
    }

    /**
     * Marks seen, now, every host heard from since the last round and every host whose agent
     * waits in a lease request: one statement per {@value #SEEN_PER_STATEMENT} hosts. Runs every
     * third of {@code unknown-after}, so that a waiting agent's host stays {@code ONLINE}.
     */
    public void writeSeen() {
        Map<String, Instant> written = Map.copyOf(heard);
        Set<String> names = new TreeSet<>(waiting.keySet());
        names.addAll(written.keySet());
        if (names.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<String> all = List.copyOf(names);
        for (int from = 0; from < all.size(); from += SEEN_PER_STATEMENT) {
            List<String> some = all.subList(from, Math.min(all.size(), from + SEEN_PER_STATEMENT));
            transactions.executeWithoutResult(tx -> hosts.markSeen(some, now));
        }
        // What was heard again while this round wrote stays for the next one.
        written.forEach(heard::remove);
    }

    /** When this replica last heard from the host's agent without having written it yet. */
    private Optional<Instant> heardAt(String name) {
        return waiting.containsKey(name) ? Optional.of(clock.instant()) : Optional.ofNullable(heard.get(name));
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

    /** An agent waiting in a lease request, until closed. */
    public interface Waiting extends AutoCloseable {
        @Override
        void close();
    }

    /** How often {@link #writeSeen} runs. */
    public Duration seenInterval() {
        return settings.unknownAfter().dividedBy(3);
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
        Instant since = clock.instant().minus(settings.offlineAfter());
        return hosts.namesSeenBefore(since).stream()
                .filter(name -> heardAt(name).filter(at -> at.isAfter(since)).isEmpty())
                .toList();
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

    /** When the host's agent was last heard from: as stored, or later by this replica. */
    public Instant lastSeen(Host host) {
        return heardAt(host.name()).filter(at -> at.isAfter(host.lastSeenAt())).orElse(host.lastSeenAt());
    }

    public HostState state(Host host) {
        return Host.state(lastSeen(host), clock.instant(), settings.unknownAfter(), settings.offlineAfter());
    }
}
