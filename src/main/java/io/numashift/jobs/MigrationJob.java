package io.numashift.jobs;

import io.numashift.core.MigrationStatus;
import jakarta.persistence.CascadeType;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Persistable;

/**
 * A migration job: the request, one task per host, and the job's state, which follows from its
 * tasks. Every change goes through a method here that checks the transition and raises the
 * job's {@code version}, which readers wait on.
 */
@Entity
@Table(name = "jobs")
public class MigrationJob implements Persistable<UUID> {
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

    @Convert(converter = JsonColumns.RequestColumn.class)
    private JobRequest request;

    private @Nullable String idempotencyKey;
    private @Nullable String requestHash;
    private boolean cancelRequested;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "job_labels", joinColumns = @JoinColumn(name = "job_id"))
    @MapKeyColumn(name = "label_key")
    @Column(name = "label_value")
    private Map<String, String> labels = new TreeMap<>();

    @OneToMany(mappedBy = "job", cascade = CascadeType.ALL, fetch = FetchType.EAGER)
    @OrderBy("host")
    private List<HostTask> tasks = new ArrayList<>();

    /** A job made here is new: saving it inserts without asking the database first. */
    @Transient
    private boolean created;

    protected MigrationJob() {
        // for JPA
        this.id = UUID.randomUUID();
        this.submittedBy = "";
        this.state = JobState.QUEUED;
        this.createdAt = Instant.EPOCH;
        this.request = null;
    }

    private MigrationJob(
            UUID id,
            JobRequest request,
            String submittedBy,
            Instant now,
            @Nullable String idempotencyKey,
            @Nullable String requestHash) {
        this.id = id;
        this.name = request.name();
        this.submittedBy = submittedBy;
        this.state = JobState.QUEUED;
        this.dryRun = request.options().dryRun();
        this.version = 1;
        this.createdAt = now;
        this.request = request;
        this.idempotencyKey = idempotencyKey;
        this.requestHash = requestHash;
        this.labels = new TreeMap<>(request.labels());
        this.created = true;
        request.targetsByHost().forEach((host, targets) -> tasks.add(new HostTask(this, host, targets, now)));
    }

    /** A new job, queued, with one pending task per host of its targets. */
    public static MigrationJob submit(
            UUID id,
            JobRequest request,
            String submittedBy,
            Instant now,
            @Nullable String idempotencyKey,
            @Nullable String requestHash) {
        return new MigrationJob(id, request, submittedBy, now, idempotencyKey, requestHash);
    }

    // ---- life cycle ----

    /** The agent of the task's host took the task. */
    public void leased(HostTask task, Instant now, Instant expiresAt) {
        task.lease(now, expiresAt);
        if (state == JobState.QUEUED) {
            moveTo(JobState.RUNNING);
            startedAt = now;
        }
        touch();
    }

    /** A heartbeat: progress and a renewed lease. */
    public void heartbeat(
            HostTask task,
            Instant expiresAt,
            int processesTotal,
            int processesDone,
            long pagesToMove,
            long pagesMoved,
            long pagesSkipped,
            long pagesFailed) {
        task.renew(expiresAt);
        task.progress(processesTotal, processesDone, pagesToMove, pagesMoved, pagesSkipped, pagesFailed);
        touch();
    }

    /** The agent reported the task's results. */
    public void reported(
            HostTask task,
            List<ProcessRecord> processes,
            @Nullable String code,
            @Nullable String message,
            Instant now) {
        task.finish(taskEnd(task, processes, code), processes, code, message, now);
        settle(now);
        touch();
    }

    /** The task failed without results: its agent was lost, or its host stayed away. */
    public void taskFailed(HostTask task, String code, String message, Instant now) {
        task.finish(TaskState.FAILED, List.of(), code, message, now);
        settle(now);
        touch();
    }

    /**
     * The task's lease ended without a result (it expired, or its agent gave the task back when
     * stopping): it is offered again when its host's agent returns, unless the job was cancelled
     * meanwhile, in which case it ends {@code CANCELLED}.
     */
    public void leaseEnded(HostTask task, Instant now) {
        if (cancelRequested) {
            task.requeue();
            task.finish(TaskState.CANCELLED, List.of(), "CANCELLED", "cancelled while its agent was away", now);
            settle(now);
        } else {
            task.requeue();
        }
        touch();
    }

    /**
     * Cancels the job: pending tasks end {@code CANCELLED}; running ones are asked to stop at their
     * next batch.
     *
     * @throws InvalidJobStateException when the job has ended already
     */
    public void cancel(Instant now) {
        if (state.isTerminal() || state == JobState.CANCELLING) {
            throw new InvalidJobStateException("job " + id + " is " + state + " and cannot be cancelled");
        }
        cancelRequested = true;
        for (HostTask task : tasks) {
            if (task.state() == TaskState.PENDING) {
                task.finish(TaskState.CANCELLED, List.of(), "CANCELLED", "cancelled before it started", now);
            } else if (task.state() == TaskState.RUNNING) {
                task.requestCancel();
            }
        }
        moveTo(JobState.CANCELLING);
        settle(now);
        touch();
    }

    /**
     * How a task ends from its processes and the task-level error {@code code} its agent reported:
     * {@code CANCELLED} when a cancel stopped one of them and there is no task-level error; else
     * {@code SUCCEEDED} when every process succeeded (or there was none) and there is no task-level
     * error; else {@code PARTIALLY_FAILED} when at least one ran to its end ({@code SUCCEEDED} or
     * {@code PARTIAL}); else {@code FAILED}.
     */
    private TaskState taskEnd(HostTask task, List<ProcessRecord> processes, @Nullable String code) {
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
        if (!tasks.stream().allMatch(t -> t.state().isTerminal())) {
            return;
        }
        JobState end;
        if (cancelRequested) {
            end = JobState.CANCELLED;
        } else if (tasks.stream().allMatch(t -> t.state() == TaskState.SUCCEEDED)) {
            end = JobState.SUCCEEDED;
        } else if (tasks.stream().noneMatch(MigrationJob::ranToEnd)) {
            end = JobState.FAILED;
        } else {
            end = JobState.PARTIALLY_FAILED;
        }
        moveTo(end);
        finishedAt = now;
    }

    private static boolean ranToEnd(HostTask task) {
        return task.state() == TaskState.SUCCEEDED || task.results().stream().anyMatch(ProcessRecord::ranToEnd);
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

    private void touch() {
        version++;
    }

    // ---- reading ----

    public Optional<HostTask> task(UUID taskId) {
        return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
    }

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

    public JobRequest request() {
        return request;
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

    public List<HostTask> tasks() {
        return tasks;
    }
}
