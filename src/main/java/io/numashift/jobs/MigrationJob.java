package io.numashift.jobs;

import io.numashift.core.MigrationStatus;
import io.numashift.protocol.EvacuatedNode;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.annotations.BatchSize;
import org.hibernate.annotations.DynamicUpdate;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.AbstractAggregateRoot;
import org.springframework.data.domain.Persistable;

/**
 * A migration job: its state, and counters that are the sums of its tasks' {@link TaskTally
 * tallies}. Every change of one of its tasks goes through a method here: it checks the
 * transition, adds the task's change to the counters, moves the job's state when the change
 * decides it, raises the job's {@code version} (which readers wait on) and raises a {@link
 * JobChanged} event, published when the job is saved. The tasks themselves are stored and loaded
 * on their own: a change of one task never reads the others, and the job's request, which names
 * every host's targets, is kept apart ({@link JobRequests}).
 */
@Entity
@Table(name = "jobs")
@DynamicUpdate
public class MigrationJob extends AbstractAggregateRoot<MigrationJob> implements Persistable<UUID> {
    @Id
    private UUID id;

    private @Nullable String name;
    private String submittedBy;

    @Enumerated(EnumType.STRING)
    private JobState state;

    private boolean dryRun;
    private long version;
    private Instant createdAt;
    private @Nullable Instant startedAt;
    private @Nullable Instant finishedAt;

    private @Nullable String idempotencyKey;
    private @Nullable String requestHash;
    private boolean cancelRequested;

    private int tasksTotal;
    private int tasksEnded;
    private int tasksSucceeded;
    private int tasksRan;
    private int processesTotal;
    private int processesDone;
    private long pagesToMove;
    private long pagesMoved;
    private long pagesSkipped;
    private long pagesFailed;

    /* Loaded when read, in batches: a change of a task locks and loads the job without them. */
    @ElementCollection(fetch = FetchType.LAZY)
    @BatchSize(size = 64)
    @CollectionTable(name = "job_labels", joinColumns = @JoinColumn(name = "job_id"))
    @MapKeyColumn(name = "label_key")
    @Column(name = "label_value")
    private Map<String, String> labels = new TreeMap<>();

    /** A job made here is new: saving it inserts without asking the database first. */
    @Transient
    private boolean created;

    protected MigrationJob() {
        // for JPA
        this.id = UUID.randomUUID();
        this.submittedBy = "";
        this.state = JobState.QUEUED;
        this.createdAt = Instant.EPOCH;
    }

    /**
     * A job just submitted, with its tasks, to be stored together.
     *
     * @param job the job
     * @param request its request
     * @param tasks one pending task per host
     */
    public record Submitted(MigrationJob job, JobRequest request, List<HostTask> tasks) {}

    /** A new job, queued, with one pending task per host of its targets. */
    public static Submitted submit(
            UUID id,
            JobRequest request,
            String submittedBy,
            Instant now,
            @Nullable String idempotencyKey,
            @Nullable String requestHash) {
        MigrationJob job = new MigrationJob();
        job.id = id;
        job.name = request.name();
        job.submittedBy = submittedBy;
        job.dryRun = request.options().dryRun();
        job.version = 1;
        job.createdAt = now;
        job.idempotencyKey = idempotencyKey;
        job.requestHash = requestHash;
        job.labels = new TreeMap<>(request.labels());
        job.created = true;
        List<HostTask> tasks = new ArrayList<>();
        request.targetsByHost().forEach((host, targets) -> tasks.add(new HostTask(id, host, targets, now)));
        for (HostTask task : tasks) {
            job.add(task.tally());
        }
        job.tasksTotal = tasks.size();
        job.registerEvent(new JobChanged(id, request.targetsByHost().keySet(), null));
        return new Submitted(job, request, tasks);
    }

    // ---- life cycle ----

    /** The agent of the task's host took the task. */
    public void leased(HostTask task, Instant now, Instant expiresAt) {
        change(task, now, Set.of(), () -> task.lease(now, expiresAt));
        if (state == JobState.QUEUED) {
            moveTo(JobState.RUNNING);
            startedAt = now;
        }
    }

    /** A heartbeat: progress and a renewed lease. */
    public void heartbeat(
            HostTask task,
            Instant now,
            Instant expiresAt,
            int processesTotal,
            int processesDone,
            long pagesToMove,
            long pagesMoved,
            long pagesSkipped,
            long pagesFailed) {
        change(task, now, Set.of(), () -> {
            task.renew(expiresAt);
            task.progress(processesTotal, processesDone, pagesToMove, pagesMoved, pagesSkipped, pagesFailed);
        });
    }

    /** The agent reported the task's results. */
    public void reported(
            HostTask task,
            List<ProcessRecord> processes,
            @Nullable String code,
            @Nullable String message,
            Instant now) {
        reported(task, processes, code, message, List.of(), now);
    }

    /** The agent reported the task's results and an evacuation's nodes. */
    public void reported(
            HostTask task,
            List<ProcessRecord> processes,
            @Nullable String code,
            @Nullable String message,
            List<EvacuatedNode> nodes,
            Instant now) {
        TaskState end = taskEnd(task, processes, code);
        change(task, now, Set.of(), () -> {
            task.finish(end, processes, code, message, now);
            task.evacuated(nodes);
        });
    }

    /** The task failed without results: its agent was lost, or its host stayed away. */
    public void taskFailed(HostTask task, String code, String message, Instant now) {
        change(task, now, Set.of(), () -> task.finish(TaskState.FAILED, List.of(), code, message, now));
    }

    /**
     * The task's lease ended without a result (it expired, or its agent gave the task back when
     * stopping): it is offered again when its host's agent returns, unless the job was cancelled
     * meanwhile, in which case it ends {@code CANCELLED}.
     */
    public void leaseEnded(HostTask task, Instant now) {
        if (cancelRequested) {
            change(task, now, Set.of(), () -> {
                task.requeue();
                task.finish(TaskState.CANCELLED, List.of(), "CANCELLED", "cancelled while its agent was away", now);
            });
        } else {
            change(task, now, Set.of(task.host()), task::requeue);
        }
    }

    /**
     * Cancels the job: pending tasks end {@code CANCELLED}; running ones are asked to stop at their
     * next batch.
     *
     * @param open the job's tasks that have not ended, locked
     * @throws InvalidJobStateException when the job has ended already
     */
    public void cancel(List<HostTask> open, Instant now) {
        if (state.isTerminal() || state == JobState.CANCELLING) {
            throw new InvalidJobStateException("job " + id + " is " + state + " and cannot be cancelled");
        }
        JobState before = state;
        cancelRequested = true;
        moveTo(JobState.CANCELLING);
        for (HostTask task : open) {
            if (task.state() == TaskState.PENDING) {
                apply(
                        task,
                        () -> task.finish(
                                TaskState.CANCELLED, List.of(), "CANCELLED", "cancelled before it started", now));
            } else if (task.state() == TaskState.RUNNING) {
                task.requestCancel();
            }
        }
        settle(now);
        touch(Set.of(), state.isTerminal() && state != before ? state : null);
    }

    /**
     * Changes one task and adds the change of its tally to the job's counters; settles the job when
     * its last task ended.
     */
    private void change(HostTask task, Instant now, Set<String> hostsWithWork, Runnable change) {
        JobState before = state;
        apply(task, change);
        settle(now);
        touch(hostsWithWork, state.isTerminal() && state != before ? state : null);
    }

    /** Changes one task of this job and adds the change of its tally to the counters. */
    private void apply(HostTask task, Runnable change) {
        if (!task.jobId().equals(id)) {
            throw new IllegalArgumentException("task " + task.id() + " is not a task of job " + id);
        }
        TaskTally tally = task.tally();
        change.run();
        add(task.tally().minus(tally));
    }

    private void add(TaskTally change) {
        tasksEnded += change.ended();
        tasksSucceeded += change.succeeded();
        tasksRan += change.ran();
        processesTotal += change.processesTotal();
        processesDone += change.processesDone();
        pagesToMove += change.pagesToMove();
        pagesMoved += change.pagesMoved();
        pagesSkipped += change.pagesSkipped();
        pagesFailed += change.pagesFailed();
    }

    /**
     * How a task ends from its processes and the task-level error {@code code} its agent reported:
     * {@code CANCELLED} when a cancel stopped one of them and there is no task-level error; else
     * {@code SUCCEEDED} when every process succeeded (or there was none) and there is no task-level
     * error; else {@code PARTIALLY_FAILED} when at least one ran to its end ({@code SUCCEEDED} or
     * {@code PARTIAL}); else {@code FAILED}.
     */
    private static TaskState taskEnd(HostTask task, List<ProcessRecord> processes, @Nullable String code) {
        if (code == null
                && task.cancelRequested()
                && processes.stream().anyMatch(p -> p.status() == MigrationStatus.CANCELLED)) {
            return TaskState.CANCELLED;
        }
        if (code == null && processes.stream().allMatch(ProcessRecord::succeeded)) {
            return TaskState.SUCCEEDED;
        }
        return processes.stream().anyMatch(ProcessRecord::ranToEnd) ? TaskState.PARTIALLY_FAILED : TaskState.FAILED;
    }

    /**
     * Ends the job once every task has ended: {@code CANCELLED} when a cancel was requested,
     * {@code SUCCEEDED} when every task succeeded, {@code FAILED} when no process of any task ran
     * to its end, {@code PARTIALLY_FAILED} otherwise.
     */
    private void settle(Instant now) {
        if (tasksEnded < tasksTotal || state.isTerminal()) {
            return;
        }
        JobState end;
        if (cancelRequested) {
            end = JobState.CANCELLED;
        } else if (tasksSucceeded == tasksTotal) {
            end = JobState.SUCCEEDED;
        } else if (tasksRan == 0) {
            end = JobState.FAILED;
        } else {
            end = JobState.PARTIALLY_FAILED;
        }
        moveTo(end);
        finishedAt = now;
    }

    private void moveTo(JobState next) {
        if (state == next) {
            return;
        }
        if (!state.canTransitionTo(next)) {
            throw new IllegalTransitionException("job " + id, state, next);
        }
        state = next;
    }

    private void touch(Set<String> hostsWithWork, @Nullable JobState endedIn) {
        version++;
        registerEvent(new JobChanged(id, new TreeSet<>(hostsWithWork), endedIn));
    }

    // ---- reading ----

    public UUID id() {
        return id;
    }

    @Override
    public UUID getId() {
        return id;
    }

    @Override
    public boolean isNew() {
        return created;
    }

    @PostPersist
    @PostLoad
    void stored() {
        created = false;
    }

    public @Nullable String name() {
        return name;
    }

    public String submittedBy() {
        return submittedBy;
    }

    public JobState state() {
        return state;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public long version() {
        return version;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public @Nullable Instant startedAt() {
        return startedAt;
    }

    public @Nullable Instant finishedAt() {
        return finishedAt;
    }

    public @Nullable String idempotencyKey() {
        return idempotencyKey;
    }

    public @Nullable String requestHash() {
        return requestHash;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public int tasksTotal() {
        return tasksTotal;
    }

    public int tasksEnded() {
        return tasksEnded;
    }

    public int processesTotal() {
        return processesTotal;
    }

    public int processesDone() {
        return processesDone;
    }

    public long pagesToMove() {
        return pagesToMove;
    }

    public long pagesMoved() {
        return pagesMoved;
    }

    public long pagesSkipped() {
        return pagesSkipped;
    }

    public long pagesFailed() {
        return pagesFailed;
    }
}
