package io.numashift.dispatch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.numashift.hosts.Host;
import io.numashift.hosts.HostRegistry;
import io.numashift.hosts.Hosts;
import io.numashift.jobs.HostTask;
import io.numashift.jobs.HostTasks;
import io.numashift.jobs.JobRequest;
import io.numashift.jobs.JobRequests;
import io.numashift.jobs.MigrationJob;
import io.numashift.jobs.MigrationJobs;
import io.numashift.jobs.ProcessRecord;
import io.numashift.jobs.TaskState;
import io.numashift.protocol.EvacuatedNode;
import io.numashift.protocol.HeartbeatAnswer;
import io.numashift.protocol.HostTopology;
import io.numashift.protocol.Lease;
import io.numashift.protocol.ProcessReport;
import io.numashift.protocol.TaskProgress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The service side of the agent protocol. Every change of a task takes its task's row lock, then,
 * once its checks passed, its job's (and leasing first its host's), always in that order, so
 * replicas sharing one database agree on who holds which lease; the job's row is small (its
 * counters, not its tasks or its request), so a change costs the same whatever the number of the
 * job's hosts.
 */
@Service
public class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final MigrationJobs jobs;
    private final HostTasks tasks;
    private final JobRequests requests;
    private final AgentTurns turns;
    private final Cache<UUID, String> hostsOfTasks =
            Caffeine.newBuilder().maximumSize(100_000).build();
    private final Hosts hosts;
    private final HostRegistry registry;
    private final DispatchSettings settings;
    private final TransactionTemplate transactions;
    /** Transactions that only read: no flush, no dirty checking, nothing to write after them. */
    private final TransactionTemplate reads;

    private final InstantSource clock;
    private final DispatchMetrics metrics;

    Dispatcher(
            MigrationJobs jobs,
            HostTasks tasks,
            JobRequests requests,
            AgentTurns turns,
            Hosts hosts,
            HostRegistry registry,
            DispatchSettings settings,
            TransactionTemplate transactions,
            InstantSource clock,
            DispatchMetrics metrics) {
        this.jobs = jobs;
        this.tasks = tasks;
        this.requests = requests;
        this.turns = turns;
        this.hosts = hosts;
        this.registry = registry;
        this.settings = settings;
        this.transactions = transactions;
        this.reads = new TransactionTemplate(transactions.getTransactionManager());
        this.reads.setReadOnly(true);
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Leases the host's oldest pending task, if the host has room for one more running task; waits
     * for its turn at the database ({@link AgentTurns}) until {@code deadline} ({@code
     * System.nanoTime}), and leases nothing when none came.
     */
    public Optional<Lease> tryLease(String host, long deadline) {
        return turns.inTurn(deadline, () -> lease(host), Optional::empty);
    }

    private Optional<Lease> lease(String host) {
        return Optional.ofNullable(transactions.execute(tx -> {
            if (hosts.lockName(host).isEmpty()) {
                return null;
            }
            if (tasks.countByHostAndState(host, TaskState.RUNNING) >= settings.tasksPerHost()) {
                return null;
            }
            for (UUID id : tasks.idsByHostAndState(host, TaskState.PENDING)) {
                HostTask task = tasks.lockById(id).orElseThrow();
                if (task.state() != TaskState.PENDING) {
                    continue;
                }
                // A cancel ends a job's pending tasks under their locks: a task still pending
                // here belongs to a job that was not cancelled.
                MigrationJob job = jobs.lockById(task.jobId()).orElseThrow();
                Instant now = clock.instant();
                job.leased(task, now, now.plus(settings.leaseDuration()));
                jobs.save(job);
                withJob(
                        job,
                        host,
                        () -> log.info(
                                "leased task {} (attempt {}, epoch {})", task.id(), task.attempts(), task.epoch()));
                JobRequest request = requests.of(job.id());
                return new Lease(
                        task.id(),
                        job.id(),
                        host,
                        task.epoch(),
                        Objects.requireNonNull(task.leaseExpiresAt()),
                        task.attempts(),
                        new Lease.Targets(
                                task.targets().pids(),
                                task.targets().cpusets(),
                                task.targets().slurmJobs(),
                                task.targets().allProcesses()),
                        request.plan(),
                        request.evacuate());
            }
            return null;
        }));
    }

    /**
     * A heartbeat: renews the lease and stores progress.
     *
     * @return whether a cancel was requested
     * @throws StaleLeaseException when the lease is no longer this agent's
     */
    public HeartbeatAnswer heartbeat(UUID taskId, long epoch, TaskProgress progress, @Nullable HostTopology topology) {
        List<ReportRules.Violation> violations = ReportRules.check(progress);
        if (!violations.isEmpty()) {
            throw new InvalidReportException(violations);
        }
        return changeTask(taskId, (task, locked) -> {
            requireCurrent(task, epoch);
            if (topology != null) {
                registry.seen(task.host(), topology);
            }
            Instant expires = clock.instant().plus(settings.leaseDuration());
            locked.get()
                    .heartbeat(
                            task,
                            clock.instant(),
                            expires,
                            progress.processesTotal(),
                            progress.processesDone(),
                            progress.pagesToMove(),
                            progress.pagesMoved(),
                            progress.pagesSkipped(),
                            progress.pagesFailed());
            return new HeartbeatAnswer(task.cancelRequested(), expires);
        });
    }

    /**
     * The results of a task. Accepted once; the same results again change nothing.
     *
     * @param error a task-level error code (the task could not run), with {@code message}
     * @param nodes an evacuation's nodes: pages in use before and after, memory blocks
     * @return false when this exact result had been accepted before
     * @throws StaleLeaseException when the lease is no longer this agent's
     * @throws InvalidReportException when the results disagree with the lease or the host
     */
    public boolean result(
            UUID taskId,
            long epoch,
            List<ProcessReport> reports,
            @Nullable String error,
            @Nullable String message,
            @Nullable List<EvacuatedNode> nodes) {
        List<ProcessRecord> results = reports.stream().map(ProcessRecord::of).toList();
        List<EvacuatedNode> evacuated = nodes == null ? List.of() : List.copyOf(nodes);
        return changeTask(taskId, (task, locked) -> {
            if (task.state().isTerminal()
                    && task.epoch() == epoch
                    && task.results().equals(results)
                    && Objects.equals(task.errorCode(), error)) {
                return false;
            }
            requireCurrent(task, epoch);
            HostTopology topology =
                    registry.find(task.host()).map(Host::topology).orElse(new HostTopology(List.of(), List.of()));
            List<ReportRules.Violation> violations = ReportRules.of(task.targets(), requests.of(task.jobId()), topology)
                    .check(reports, error, evacuated);
            if (!violations.isEmpty()) {
                throw new InvalidReportException(violations);
            }
            MigrationJob job = locked.get();
            job.reported(task, results, error, message, evacuated, clock.instant());
            metrics.taskFinished(task);
            withJob(job, task.host(), () -> log.info("task {} ended {}", task.id(), task.state()));
            return true;
        });
    }

    /**
     * An agent gives its task back unfinished (it is stopping): the task is offered again at once,
     * and a later report under this lease is refused as stale.
     *
     * @throws StaleLeaseException when the lease is no longer this agent's
     */
    public void release(UUID taskId, long epoch) {
        changeTask(taskId, (task, locked) -> {
            requireCurrent(task, epoch);
            MigrationJob job = locked.get();
            job.leaseEnded(task, clock.instant());
            if (task.state().isTerminal()) {
                metrics.taskFinished(task);
            }
            withJob(job, task.host(), () -> log.info("task {} given back by its agent", task.id()));
            return true;
        });
    }

    /** Offers again the tasks whose lease ran out, fails those out of attempts, and those of hosts gone. */
    public void reap() {
        Instant now = clock.instant();
        for (UUID taskId : tasks.expiredLeases(now)) {
            changeTask(taskId, (task, locked) -> {
                if (task.state() != TaskState.RUNNING
                        || task.leaseExpiresAt() == null
                        || !task.leaseExpiresAt().isBefore(now)) {
                    return false;
                }
                MigrationJob job = locked.get();
                metrics.leaseExpired();
                if (task.attempts() >= settings.maxAttempts()) {
                    job.taskFailed(
                            task,
                            "AGENT_LOST",
                            "the agent of " + task.host() + " stopped reporting " + task.attempts() + " times",
                            now);
                    metrics.taskFinished(task);
                } else {
                    job.leaseEnded(task, now);
                    if (task.state().isTerminal()) {
                        metrics.taskFinished(task);
                    }
                }
                withJob(
                        job,
                        task.host(),
                        () -> log.warn("lease of task {} expired after attempt {}", task.id(), task.attempts()));
                return true;
            });
        }
        List<String> gone = registry.offline();
        if (!gone.isEmpty()) {
            for (UUID taskId : tasks.pendingOf(gone)) {
                changeTask(taskId, (task, locked) -> {
                    if (task.state() != TaskState.PENDING) {
                        return false;
                    }
                    MigrationJob job = locked.get();
                    job.taskFailed(task, "HOST_UNAVAILABLE", "host " + task.host() + " stayed away", clock.instant());
                    metrics.taskFinished(task);
                    withJob(job, task.host(), () -> log.warn("task {} failed: host unavailable", task.id()));
                    return true;
                });
            }
        }
    }

    /** Hosts that have pending tasks now (to wake their waiting agents). */
    public List<String> hostsWithPendingTasks() {
        return Objects.requireNonNull(reads.execute(tx -> tasks.hostsWithPendingTasks()));
    }

    /**
     * The host a task belongs to (agents may report only on their own hosts' tasks). A task never
     * changes host, so the answers for the tasks asked about last are kept: the agent of a running
     * task asks at every heartbeat.
     */
    public Optional<String> hostOf(UUID taskId) {
        String known = hostsOfTasks.getIfPresent(taskId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> host = Objects.requireNonNull(reads.execute(tx -> tasks.hostOf(taskId)));
        host.ifPresent(h -> hostsOfTasks.put(taskId, h));
        return host;
    }

    /**
     * Changes one task in the agents' turn at the database, under its task's row lock and, if the
     * change asks for it, its job's; saving the job publishes the events it raised. Who may change
     * the task was checked before the request's body was read ({@code AgentAccess}).
     */
    private <T> T changeTask(UUID taskId, TaskChange<T> change) {
        return turns.inTurn(() -> Objects.requireNonNull(transactions.execute(tx -> {
            HostTask task = tasks.lockById(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
            LockedJob job = new LockedJob(task.jobId());
            T result = change.apply(task, job);
            job.save();
            return result;
        })));
    }

    /**
     * A change of one task, made under its row lock. It asks for its job's row lock ({@code
     * job.get()}) only once its checks passed, so that the job's row, which every task of the job
     * changes, is held for the shortest time.
     */
    @FunctionalInterface
    private interface TaskChange<T> {
        T apply(HostTask task, Supplier<MigrationJob> job);
    }

    /** The job of a task, locked when first asked for, and saved (raising its events) if it was. */
    private final class LockedJob implements Supplier<MigrationJob> {
        private final UUID id;
        private @Nullable MigrationJob job;

        LockedJob(UUID id) {
            this.id = id;
        }

        @Override
        public MigrationJob get() {
            if (job == null) {
                job = jobs.lockById(id).orElseThrow(() -> new IllegalStateException("task of a missing job " + id));
            }
            return job;
        }

        void save() {
            if (job != null) {
                jobs.save(job);
            }
        }
    }

    private static void requireCurrent(HostTask task, long epoch) {
        if (task.state().isTerminal() && task.epoch() == epoch) {
            throw new StaleLeaseException("task " + task.id() + " has ended (" + task.state() + "): its lease, epoch "
                    + epoch + ", can report nothing more");
        }
        if (task.state() != TaskState.RUNNING || task.epoch() != epoch) {
            throw new StaleLeaseException("task " + task.id() + " is " + task.state() + " at epoch " + task.epoch()
                    + "; this report is for epoch " + epoch);
        }
    }

    private static void withJob(MigrationJob job, String host, Runnable action) {
        try (var a = MDC.putCloseable("jobId", job.id().toString());
                var b = MDC.putCloseable("host", host)) {
            action.run();
        }
    }
}
