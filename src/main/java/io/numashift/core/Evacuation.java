package io.numashift.core;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PolicyMode;
import io.numashift.core.backend.ProcessInfo;
import io.numashift.core.backend.Topology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;

/**
 * Empties NUMA nodes of one host (docs/evacuation.md): every page of the given processes on those
 * nodes goes to the nearest node, by distance from the node it leaves, that the process may use and
 * that has room; when that node fills, to the next nearest. The processes share the host's free
 * memory, so none is promised room that another takes: they are planned and moved one after another,
 * those with the fewest nodes to go to first (a process confined to one node by its cpuset gets it
 * before others that could go anywhere), then by pid.
 *
 * <p>Each process's pages move in one migration of the engine, with every rule of the migration
 * contract (pinned and shared pages, extended attributes, capacity, {@code onFailure}, rollback):
 * the evacuated nodes are its {@code oldNodes}, each mapped to its nearest destination (which
 * remaps a policy that names it), and {@link MigrationRequest#destinations} lists where the pages
 * may spill. Pages that find no room fail {@code ENOMEM}: what will not fit. A dry run plans the
 * same migrations against the free memory that the ones before it leave, so its results are the
 * plan: pages per destination and what will not fit.
 */
public final class Evacuation {

    /**
     * @param nodes the nodes to empty
     * @param options the options of every migration
     * @param privileged whether the caller holds the migrate privilege
     * @param everyProcess whether the processes are every process of the host: those with no page
     *     on the nodes and no process policy that names them are passed over, and those that exit
     *     before their migration, without a result
     */
    public record Request(List<Integer> nodes, MigrationOptions options, boolean privileged, boolean everyProcess) {
        public Request {
            nodes = nodes.stream().distinct().sorted().toList();
        }

        /** An evacuation of the processes given, each with a result. */
        public Request(List<Integer> nodes, MigrationOptions options, boolean privileged) {
            this(nodes, options, privileged, false);
        }
    }

    /** Why a host cannot evacuate these nodes at all, for the whole task. */
    public record Refusal(Errno errno, String message) {}

    private final MigrationEngine engine;
    private final NumaBackend backend;

    public Evacuation(MigrationEngine engine) {
        this.engine = engine;
        this.backend = engine.backend();
    }

    /**
     * Why this host cannot evacuate the nodes, if it cannot: a node it does not have or that has no
     * memory ({@code ENODEV}), or no node with memory left to move to ({@code ENOMEM}).
     */
    public Optional<Refusal> refusal(Request request) {
        Topology topology = backend.topology();
        for (int node : request.nodes()) {
            Optional<Node> found = topology.node(node);
            if (found.isEmpty() || found.get().capacityPages() == 0) {
                return Optional.of(new Refusal(
                        Errno.ENODEV,
                        "node " + node + " does not exist or has no memory on host " + backend.hostName()));
            }
        }
        if (remainingNodes(topology, request.nodes()).isEmpty()) {
            return Optional.of(new Refusal(
                    Errno.ENOMEM,
                    "host " + backend.hostName() + " has no node with memory besides " + request.nodes()));
        }
        return Optional.empty();
    }

    /**
     * Evacuates the nodes of these processes, in the order the class describes, sharing one {@link
     * JobScope}. Once cancellation is requested, the processes not yet started end {@code CANCELLED}
     * untouched.
     *
     * @return one result per process, in the order they ran
     */
    public List<MigrationResult> run(Request request, List<Integer> pids, MigrationMonitor monitor) {
        List<MigrationResult> results = new ArrayList<>();
        run(request, pids, monitor, results::add);
        return results;
    }

    /** Evacuates as {@link #run(Request, List, MigrationMonitor)}, handing each result over as it ends. */
    public void run(Request request, List<Integer> pids, MigrationMonitor monitor, Consumer<MigrationResult> done) {
        Topology topology = backend.topology();
        List<Integer> evacuated = request.nodes();
        List<Integer> remaining = remainingNodes(topology, evacuated);
        JobScope scope = new JobScope(new HashSet<>(pids));
        Map<Integer, List<Integer>> allowed = new LinkedHashMap<>();
        for (int pid : pids.stream().distinct().sorted().toList()) {
            Optional<ProcessInfo> process = backend.process(pid);
            if (request.everyProcess() && (process.isEmpty() || untouched(process.get(), evacuated))) {
                continue;
            }
            allowed.put(
                    pid, process.map(p -> allowedNodes(p, remaining, evacuated)).orElse(remaining));
        }
        List<Integer> order = allowed.keySet().stream()
                .sorted(Comparator.<Integer>comparingInt(pid -> allowed.get(pid).size())
                        .thenComparingInt(pid -> pid))
                .toList();
        long[] planned = freePages(topology);
        // Of every process of the host, one that exited meanwhile has nothing to report.
        Consumer<MigrationResult> report = request.everyProcess()
                ? result -> {
                    if (result.status() != MigrationStatus.FAILED || result.errno() != Errno.ESRCH) {
                        done.accept(result);
                    }
                }
                : done;
        for (int pid : order) {
            if (monitor.cancelRequested()) {
                report.accept(MigrationResult.cancelledBeforeStart(pid));
                continue;
            }
            List<Integer> nodes = allowed.get(pid);
            if (nodes.isEmpty()) {
                report.accept(MigrationResult.refused(
                        pid,
                        Errno.EINVAL,
                        "process " + pid + " may use no node besides " + evacuated
                                + " (its cpuset's mems): its pages there have nowhere to go"));
                continue;
            }
            IntToLongFunction free = request.options().dryRun() ? node -> planned[node] : backend::freePages;
            MigrationRequest migration = migration(request, pid, nodes, topology, free);
            if (request.options().dryRun()) {
                MigrationResult result = engine.migrate(migration, scope, monitor, withFree(topology, planned));
                for (MigrationResult.NodePairPages move : result.moves()) {
                    planned[move.from()] += move.pages();
                    planned[move.to()] -= move.pages();
                }
                report.accept(result);
            } else {
                report.accept(engine.migrate(migration, scope, monitor));
            }
        }
    }

    /**
     * The migration of one process: all the nodes it may use, nearest first, as the destinations of
     * its pages; and each evacuated node mapped to the nearest of them with free pages now (the
     * nearest, when none has), where a policy that names the evacuated node then points.
     */
    private static MigrationRequest migration(
            Request request, int pid, List<Integer> nodes, Topology topology, IntToLongFunction free) {
        Map<Integer, List<Integer>> destinations = new LinkedHashMap<>();
        List<Integer> newNodes = new ArrayList<>();
        for (int from : request.nodes()) {
            List<Integer> byDistance = nodes.stream()
                    .sorted(Comparator.<Integer>comparingInt(to -> topology.distance(from, to))
                            .thenComparingInt(to -> to))
                    .toList();
            destinations.put(from, byDistance);
            newNodes.add(byDistance.stream()
                    .filter(to -> free.applyAsLong(to) > 0)
                    .findFirst()
                    .orElse(byDistance.getFirst()));
        }
        MigrationPlan plan = new MigrationPlan(request.nodes(), newNodes, null, null, request.options());
        return new MigrationRequest(pid, plan, request.privileged(), destinations);
    }

    /**
     * Whether the evacuation leaves a process alone: no page of it on the nodes, and no process
     * policy that names them (which the migration would remap). A process that exits meanwhile is
     * left alone too.
     */
    private boolean untouched(ProcessInfo process, List<Integer> evacuated) {
        if (process.policy().nodes().stream().anyMatch(evacuated::contains)) {
            return false;
        }
        try {
            return backend.pagesOn(process.pid(), Set.copyOf(evacuated)) == 0;
        } catch (BackendException e) {
            return true;
        }
    }

    /**
     * The nodes a process may use, besides the evacuated ones: those with memory, within its
     * cpuset's {@code mems}; and within the nodes of its {@code BIND} policy when some of those
     * remain (a {@code BIND} to evacuated nodes alone is remapped to where its pages go).
     */
    private List<Integer> allowedNodes(ProcessInfo process, List<Integer> remaining, List<Integer> evacuated) {
        List<Integer> nodes = new ArrayList<>(remaining);
        if (process.cpuset() != null) {
            backend.cpuset(process.cpuset()).map(Cpuset::mems).ifPresent(nodes::retainAll);
        }
        MemoryPolicy policy = process.policy();
        if (policy.mode() == PolicyMode.BIND) {
            List<Integer> bound = new ArrayList<>(nodes);
            bound.retainAll(policy.nodes());
            bound.removeAll(evacuated);
            if (!bound.isEmpty()) {
                return bound;
            }
        }
        return nodes;
    }

    /** The nodes with memory that are not evacuated, ascending. */
    private static List<Integer> remainingNodes(Topology topology, List<Integer> evacuated) {
        Set<Integer> leaving = Set.copyOf(evacuated);
        return topology.nodes().stream()
                .filter(n -> n.capacityPages() > 0 && !leaving.contains(n.id()))
                .map(Node::id)
                .toList();
    }

    private static long[] freePages(Topology topology) {
        long[] free = new long[topology.nodeIdLimit()];
        for (Node node : topology.nodes()) {
            free[node.id()] = node.freePages();
        }
        return free;
    }

    /** The topology with the free pages a dry run's earlier processes leave. */
    private static Topology withFree(Topology topology, long[] free) {
        List<Node> nodes = topology.nodes().stream()
                .map(n -> new Node(n.id(), n.capacityPages(), free[n.id()], n.cpus()))
                .toList();
        return new Topology(topology.pageSize(), nodes, topology.distances());
    }
}
