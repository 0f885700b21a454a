package io.numashift.agent;

import io.numashift.core.Evacuation;
import io.numashift.core.JobScope;
import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.MemoryState;
import io.numashift.core.backend.Node;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.Topology;
import io.numashift.protocol.Evacuate;
import io.numashift.protocol.EvacuatedNode;
import io.numashift.protocol.Heartbeat;
import io.numashift.protocol.HeartbeatAnswer;
import io.numashift.protocol.HostTopology;
import io.numashift.protocol.Lease;
import io.numashift.protocol.NodeMemory;
import io.numashift.protocol.ProcessReport;
import io.numashift.protocol.Registration;
import io.numashift.protocol.Result;
import io.numashift.protocol.TaskProgress;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The agent of one host. It registers, then leases its host's tasks one after another; for each it
 * runs the migration core on its backend, sends progress in heartbeats from a thread of its own
 * (so the migration never waits for the network), stops at the next batch when the job is
 * cancelled or the lease is lost, and reports the result until the service acknowledges it.
 * When the service is away it keeps trying with backoff.
 *
 * <p>{@link #shutdown(Duration)} stops it cleanly: an idle agent leaves its long poll at once; a
 * running task is given the grace period to finish and be reported, and is otherwise stopped at
 * its next batch and given back to the service, which offers it again (a migration run again
 * moves only what is left).
 */
public final class Agent implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    public static final String VERSION = "0.1.0";
    /** The task error of a migration that failed in the agent itself (a defect), with its message. */
    static final String AGENT_ERROR = "AGENT_ERROR";

    private final String host;
    private final String backendName;
    private final NumaBackend backend;
    /** One engine for every task: it keeps the host's pace learned from earlier batches. */
    private final MigrationEngine engine;

    private final AgentClient client;
    private final Duration leaseWait;
    private final @Nullable Integer maxMiBPerSecond;
    private volatile Duration heartbeatInterval = Duration.ofSeconds(1);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile @Nullable Thread worker;
    private volatile @Nullable Progress current;
    private volatile long stopDeadline = Long.MAX_VALUE;

    public Agent(String host, String backendName, NumaBackend backend, AgentClient client, Duration leaseWait) {
        this(host, backendName, backend, client, leaseWait, null);
    }

    /**
     * An agent whose host moves at most {@code maxMiBPerSecond} (null: no cap) in a migration whose
     * job sets no cap of its own.
     */
    public Agent(
            String host,
            String backendName,
            NumaBackend backend,
            AgentClient client,
            Duration leaseWait,
            @Nullable Integer maxMiBPerSecond) {
        this.maxMiBPerSecond = maxMiBPerSecond;
        this.host = host;
        this.backendName = backendName;
        this.backend = backend;
        this.engine = new MigrationEngine(backend);
        this.client = client;
        this.leaseWait = leaseWait;
    }

    /**
     * Stops cleanly and waits for it: no new task is leased; a running task may finish and be
     * reported within {@code grace} (zero: not at all), and is otherwise stopped at its next batch
     * and given back.
     */
    public void shutdown(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        stopDeadline = deadline;
        running.set(false);
        interruptIfIdle();
        Thread thread = worker;
        if (thread == null) {
            return;
        }
        thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        Progress progress = current;
        if (thread.isAlive() && progress != null) {
            log.warn(
                    "task still running after {} s of grace: stopping it at its next batch to give it back",
                    grace.toSeconds());
            progress.cancelled = true;
        }
        thread.join(Duration.ofSeconds(10));
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(Duration.ofSeconds(5));
        }
    }

    private void interruptIfIdle() {
        Thread thread = worker;
        if (thread != null && current == null) {
            thread.interrupt();
        }
    }

    /** The host this agent serves. */
    public String host() {
        return host;
    }

    @Override
    public void run() {
        worker = Thread.currentThread();
        MDC.put("host", host);
        Duration backoff = Duration.ofMillis(200);
        boolean registered = false;
        while (running.get()) {
            try {
                if (!registered) {
                    Topology topology = backend.topology();
                    heartbeatInterval = client.register(
                            host,
                            new Registration(backendName, VERSION, topology.pageSize(), HostTopology.of(topology)));
                    registered = true;
                    log.info("registered with {}; heartbeat every {}", client.base(), heartbeatInterval);
                }
                var lease = client.lease(host, leaseWait);
                if (lease.isPresent()) {
                    execute(lease.get());
                }
                backoff = Duration.ofMillis(200);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!running.get()) {
                    return;
                }
                log.warn("service unreachable or refused ({}); retrying in {} ms", e.getMessage(), backoff.toMillis());
                if (e instanceof AgentClient.RefusedException refused && refused.status() == 400) {
                    registered = false;
                }
                backoff = waitAndBackOff(backoff, e);
            }
        }
    }

    private void execute(Lease lease) throws InterruptedException {
        try (var job = MDC.putCloseable("jobId", lease.jobId().toString())) {
            log.info("running task {} (attempt {})", lease.taskId(), lease.attempt());
            Progress progress = new Progress();
            progress.cancelled = !running.get();
            current = progress;
            Thread heartbeats = Thread.ofVirtual().name("heartbeat-" + host).start(() -> heartbeat(lease, progress));
            Result result;
            try {
                result = run(lease, progress);
            } finally {
                progress.finished = true;
                heartbeats.interrupt();
                heartbeats.join();
            }
            if (progress.leaseLost) {
                return;
            }
            if (lease.evacuate() != null && lease.evacuate().memory() != null) {
                showTopology(lease, progress);
            }
            if (!running.get() && !complete(result)) {
                giveBack(lease, result);
            } else {
                report(lease, result);
            }
        } finally {
            current = null;
        }
    }

    /**
     * Tells the service the host's nodes as they are now, once the heartbeats of the task have
     * stopped (so that none of them, read before, comes after): the service shows a host's nodes as
     * the agent last told it, and an evacuation may have taken a node's memory offline.
     */
    private void showTopology(Lease lease, Progress progress) throws InterruptedException {
        try {
            client.heartbeat(
                    lease.taskId(),
                    new Heartbeat(lease.epoch(), progress.snapshot(), HostTopology.of(backend.topology())));
        } catch (IOException | RuntimeException e) {
            log.warn("could not tell the service the nodes' new memory: {}", e.getMessage());
        }
    }

    private static boolean complete(Result result) {
        return result.processes().stream().noneMatch(p -> p.status() == MigrationStatus.CANCELLED);
    }

    /** Gives an unfinished task back so that it runs again at once, not after its lease expires. */
    private void giveBack(Lease lease, Result result) {
        try {
            client.release(lease.taskId(), lease.epoch());
            log.info(
                    "gave task {} back unfinished after moving {} pages",
                    lease.taskId(),
                    result.processes().stream()
                            .mapToLong(ProcessReport::pagesMoved)
                            .sum());
        } catch (IOException e) {
            log.warn(
                    "could not give task {} back ({}); it runs again when its lease expires",
                    lease.taskId(),
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Result run(Lease lease, Progress progress) {
        TreeSet<Integer> pids = new TreeSet<>(lease.targets().pids());
        if (lease.targets().everyProcess()) {
            pids.addAll(backend.pids());
        }
        for (String cpuset : lease.targets().cpusets()) {
            if (backend.cpuset(cpuset).isEmpty()) {
                return new Result(
                        lease.epoch(), List.of(), "EINVAL", "cpuset " + cpuset + " does not exist on host " + host);
            }
            pids.addAll(backend.pidsInCpuset(cpuset));
        }
        for (String job : lease.targets().slurmJobs()) {
            Optional<List<Integer>> jobPids;
            try {
                jobPids = backend.slurmJobPids(job);
            } catch (BackendException e) {
                return new Result(lease.epoch(), List.of(), e.errno().name(), e.getMessage());
            }
            if (jobPids.isEmpty()) {
                return new Result(
                        lease.epoch(), List.of(), "ESRCH", "Slurm job " + job + " runs no process on host " + host);
            }
            pids.addAll(jobPids.get());
        }
        progress.processesTotal = pids.size();
        MigrationRequest template = MigrationRequest.of(0, lease.plan());
        if (template.options().maxMiBPerSecond() == null && maxMiBPerSecond != null) {
            template = template.withOptions(template.options().withMaxMiBPerSecond(maxMiBPerSecond));
        }
        if (lease.evacuate() != null) {
            return evacuate(lease, List.copyOf(pids), template.options(), progress);
        }
        JobScope scope = new JobScope(pids);
        List<ProcessReport> results = new ArrayList<>();
        for (int pid : pids) {
            MigrationResult result;
            try {
                result = progress.cancelled
                        ? MigrationResult.cancelledBeforeStart(pid)
                        : engine.migrate(template.withPid(pid), scope, progress);
            } catch (RuntimeException e) {
                // A defect, not the service being away: the task fails with it rather than being
                // leased again and again until it runs out of attempts.
                log.error("migrating process {} failed in the agent", pid, e);
                return new Result(
                        lease.epoch(), results, AGENT_ERROR, "the agent failed migrating process " + pid + ": " + e);
            }
            ProcessReport view = ProcessReport.of(result);
            results.add(view);
            progress.processDone(view);
        }
        return new Result(lease.epoch(), results, null, null);
    }

    /**
     * Empties the lease's nodes of these processes (docs/evacuation.md), then, when asked and it is
     * no dry run, takes their memory blocks offline; or, for {@code ONLINE}, only brings them back.
     * Of every process of the host, only those the evacuation ran for are reported ({@link
     * Evacuation.Request#everyProcess}). Each node is reported with its pages in use before and after (a dry
     * run's: before, less what it plans to move off) and its memory blocks. A node whose blocks did
     * not all change fails the task with the host's errno, after the processes' results.
     */
    private Result evacuate(Lease lease, List<Integer> pids, MigrationOptions options, Progress progress) {
        Evacuate asked = Objects.requireNonNull(lease.evacuate());
        Evacuation evacuation = new Evacuation(engine);
        Evacuation.Request request = new Evacuation.Request(
                asked.nodes(),
                options,
                true,
                lease.targets().everyProcess() && lease.targets().pids().isEmpty());
        List<ProcessReport> results = new ArrayList<>();
        Map<Integer, Long> usedBefore = used(request.nodes());
        Map<Integer, Long> plannedOff = new HashMap<>();
        if (asked.memory() != MemoryState.ONLINE) {
            Optional<Evacuation.Refusal> refusal = evacuation.refusal(request);
            if (refusal.isPresent()) {
                return new Result(
                        lease.epoch(),
                        List.of(),
                        refusal.get().errno().name(),
                        refusal.get().message());
            }
            try {
                evacuation.run(request, pids, progress, result -> {
                    ProcessReport view = ProcessReport.of(result);
                    results.add(view);
                    result.moves().forEach(m -> plannedOff.merge(m.from(), m.pages(), Long::sum));
                    progress.processDone(view);
                });
            } catch (RuntimeException e) {
                log.error("evacuating nodes {} failed in the agent", request.nodes(), e);
                return new Result(lease.epoch(), results, AGENT_ERROR, "the agent failed evacuating: " + e);
            }
        }
        Map<Integer, NodeMemory> memory = new HashMap<>();
        String error = null;
        String message = null;
        if (asked.memory() != null && !options.dryRun() && !progress.cancelled) {
            for (int node : request.nodes()) {
                try {
                    NodeMemory blocks = NodeMemory.of(backend.setMemory(node, asked.memory()));
                    memory.put(node, blocks);
                    if (blocks.errno() != null && error == null) {
                        error = blocks.errno().name();
                        message = "node " + node + " has " + blocks.inState() + " of " + blocks.blocks()
                                + " memory blocks " + blocks.state().name().toLowerCase(Locale.ROOT) + "; "
                                + blocks.message();
                    }
                } catch (BackendException e) {
                    error = e.errno().name();
                    message = e.getMessage();
                    break;
                }
            }
            log.info("memory of nodes {}: {}", request.nodes(), memory.values());
        }
        Map<Integer, Long> usedAfter = options.dryRun() ? Map.of() : used(request.nodes());
        List<EvacuatedNode> nodes = new ArrayList<>();
        for (int node : request.nodes()) {
            long before = usedBefore.getOrDefault(node, 0L);
            long after = options.dryRun()
                    ? Math.max(0, before - plannedOff.getOrDefault(node, 0L))
                    : usedAfter.getOrDefault(node, 0L);
            nodes.add(new EvacuatedNode(node, before, after, memory.get(node)));
        }
        return new Result(lease.epoch(), results, error, message, nodes);
    }

    /** The pages in use on each of these nodes, as the host counts them (nodes it lacks count none). */
    private Map<Integer, Long> used(List<Integer> nodes) {
        Map<Integer, Long> used = new HashMap<>();
        for (Node node : backend.topology().nodes()) {
            if (nodes.contains(node.id())) {
                used.put(node.id(), node.capacityPages() - node.freePages());
            }
        }
        return used;
    }

    private void heartbeat(Lease lease, Progress progress) {
        while (!progress.finished) {
            try {
                Thread.sleep(heartbeatInterval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                HeartbeatAnswer answer = client.heartbeat(
                        lease.taskId(),
                        new Heartbeat(lease.epoch(), progress.snapshot(), HostTopology.of(backend.topology())));
                if (answer.cancelRequested()) {
                    progress.cancelled = true;
                }
            } catch (AgentClient.RefusedException e) {
                if (e.status() == 409 || e.status() == 404) {
                    // The lease is gone (it expired and the task was offered again): stop at the next batch.
                    log.warn("lease of task {} lost: {}", lease.taskId(), e.getMessage());
                    progress.leaseLost = true;
                    progress.cancelled = true;
                    return;
                }
            } catch (IOException e) {
                log.warn("heartbeat failed: {}", e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Reports until the service acknowledges, or the lease is known to be gone, or a stopping
     * agent's grace has run out (then the lease expires and the task runs again).
     */
    private void report(Lease lease, Result result) throws InterruptedException {
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            if (System.nanoTime() - stopDeadline > 0) {
                log.error(
                        "result of task {} not acknowledged before the agent stopped; the task runs again"
                                + " when its lease expires",
                        lease.taskId());
                return;
            }
            try {
                client.result(lease.taskId(), result);
                log.info("reported task {}", lease.taskId());
                return;
            } catch (AgentClient.RefusedException e) {
                if (e.status() == 409 || e.status() == 404 || e.status() == 403) {
                    log.warn("result of task {} refused: {}", lease.taskId(), e.getMessage());
                    return;
                }
                if ((e.status() == 400 || e.status() == 413) && result.error() == null) {
                    // The service will refuse this result again: a defect of the agent, or a result
                    // too large. Report the task as failed with the reason, which the job shows.
                    log.error(
                            "result of task {} refused ({}); reporting the task failed. The refused counts: {}",
                            lease.taskId(),
                            e.getMessage(),
                            counts(result));
                    result = new Result(
                            result.epoch(),
                            List.of(),
                            AGENT_ERROR,
                            abbreviated("the service refused the agent's result: " + e.getMessage()));
                    continue;
                }
                if (e.status() == 400 || e.status() == 413) {
                    log.error(
                            "report of task {} refused ({}); the task runs again when its lease expires",
                            lease.taskId(),
                            e.getMessage());
                    return;
                }
                log.warn("reporting failed ({}); retrying", e.getMessage());
                backoff = waitAndBackOff(backoff, e);
            } catch (IOException e) {
                log.warn("reporting failed ({}); retrying", e.getMessage());
                backoff = waitAndBackOff(backoff, e);
            }
        }
    }

    /** A message that fits a result's {@code message} (4,096 characters). */
    private static String abbreviated(String message) {
        return message.length() <= 4_000 ? message : message.substring(0, 4_000) + "…";
    }

    /**
     * Sleeps for {@code backoff}, or for as long as the service asked ({@code Retry-After}, at most
     * {@link #MAX_BACKOFF}), and answers the next backoff: twice as long, at most {@link #MAX_BACKOFF}.
     */
    private static Duration waitAndBackOff(Duration backoff, Exception failure) {
        Duration wait = failure instanceof AgentClient.RefusedException refused
                ? refused.retryAfter()
                        .map(asked -> asked.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : asked)
                        .orElse(backoff)
                : backoff;
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration next = backoff.multipliedBy(2);
        return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
    }

    /** Progress shared between the migrating thread and the heartbeat thread. */
    private static final class Progress implements MigrationMonitor {
        volatile boolean cancelled;
        volatile boolean leaseLost;
        volatile boolean finished;
        volatile int processesTotal;
        volatile int processesDone;
        volatile long doneBefore;
        volatile long toMoveBefore;
        volatile long skippedBefore;
        volatile long failedBefore;
        volatile long currentDone;
        volatile long currentToMove;

        @Override
        public void progress(int pid, long pagesDone, long pagesToMove) {
            currentDone = pagesDone;
            currentToMove = pagesToMove;
        }

        @Override
        public boolean cancelRequested() {
            return cancelled;
        }

        void processDone(ProcessReport result) {
            doneBefore += result.pagesMoved();
            toMoveBefore += Math.max(currentToMove, result.pagesMoved() + result.pagesFailedTotal());
            skippedBefore += result.pagesSkippedTotal();
            failedBefore += result.pagesFailedTotal();
            currentDone = 0;
            currentToMove = 0;
            processesDone++;
        }

        TaskProgress snapshot() {
            return new TaskProgress(
                    processesTotal,
                    processesDone,
                    toMoveBefore + currentToMove,
                    doneBefore + currentDone,
                    skippedBefore,
                    failedBefore);
        }
    }

    /** The counts of a result's first processes, for a log line. */
    private static String counts(Result result) {
        return result.processes().stream()
                .limit(8)
                .map(p -> "pid %d: scanned %d, moved %d, not present %d, skipped %s, failed %s, before %s, after %s"
                        .formatted(
                                p.pid(),
                                p.pagesScanned(),
                                p.pagesMoved(),
                                p.pagesNotPresent(),
                                p.pagesSkipped(),
                                p.pagesFailed(),
                                p.placementBefore(),
                                p.placementAfter()))
                .toList()
                .toString();
    }
}
