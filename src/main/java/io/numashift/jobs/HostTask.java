package io.numashift.jobs;

import io.numashift.protocol.EvacuatedNode;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Persistable;

/**
 * One host's share of a job: which processes to migrate there, who holds the lease, how far it
 * got and what came of it. Changed only through its job ({@link MigrationJob}), which checks every
 * transition and adds the change of the task's {@link TaskTally} to its counters.
 */
@Entity
@Table(name = "tasks")
public class HostTask implements Persistable<UUID> {
    private static final JsonColumns.TargetsColumn TARGETS = new JsonColumns.TargetsColumn();
    private static final JsonColumns.ResultsColumn RESULTS = new JsonColumns.ResultsColumn();

    @Id
    private UUID id;

    private UUID jobId;

    private String host;

    @Enumerated(EnumType.STRING)
    private TaskState state;

    private int attempts;
    private long epoch;
    private @Nullable Instant leaseExpiresAt;
    private Instant createdAt;
    private @Nullable Instant startedAt;
    private @Nullable Instant finishedAt;
    private @Nullable String errorCode;
    private @Nullable String errorMessage;

    /*
     * The JSON columns are kept as text and parsed when first read: a lease or a result loads the
     * whole job, and parsing (and, for dirty checking, copying) every task's results made each change
     * of a 1,000-host job cost milliseconds per task under the job's row lock.
     */
    @Column(name = "targets")
    private String targetsJson;

    @Transient
    private @Nullable TaskTargets targets;

    private int processesTotal;
    private int processesDone;
    private long pagesToMove;
    private long pagesMoved;
    private long pagesSkipped;
    private long pagesFailed;

    @Column(name = "results")
    private @Nullable String resultsJson;

    @Transient
    private @Nullable List<ProcessRecord> results;

    /** An evacuation's nodes, as reported; null for every other task. */
    @Column(name = "evacuated")
    @Convert(converter = JsonColumns.EvacuatedColumn.class)
    private @Nullable List<EvacuatedNode> evacuated;

    private boolean cancelRequested;

    /** A task made here is new: saving it inserts without asking the database first. */
    @Transient
    private boolean created;

    protected HostTask() {
        // for JPA
        this.id = UUID.randomUUID();
        this.host = "";
        this.state = TaskState.PENDING;
        this.createdAt = Instant.EPOCH;
        this.targetsJson = "";
        this.jobId = new UUID(0, 0);
    }

    HostTask(UUID jobId, String host, TaskTargets targets, Instant now) {
        this.id = UUID.randomUUID();
        this.jobId = jobId;
        this.created = true;
        this.host = host;
        this.state = TaskState.PENDING;
        this.targets = targets;
        this.targetsJson = TARGETS.convertToDatabaseColumn(targets);
        this.createdAt = now;
        this.processesTotal = targets.resolvedOnHost() ? 0 : targets.pids().size();
    }

    void moveTo(TaskState next) {
        if (!state.canTransitionTo(next)) {
            throw new IllegalTransitionException("task " + id + " on " + host, state, next);
        }
        state = next;
    }

    void lease(Instant now, Instant expiresAt) {
        moveTo(TaskState.RUNNING);
        attempts++;
        epoch++;
        leaseExpiresAt = expiresAt;
        if (startedAt == null) {
            startedAt = now;
        }
    }

    void renew(Instant expiresAt) {
        leaseExpiresAt = expiresAt;
    }

    void requeue() {
        moveTo(TaskState.PENDING);
        leaseExpiresAt = null;
    }

    void progress(
            int processesTotal,
            int processesDone,
            long pagesToMove,
            long pagesMoved,
            long pagesSkipped,
            long pagesFailed) {
        this.processesTotal = processesTotal;
        this.processesDone = processesDone;
        this.pagesToMove = pagesToMove;
        this.pagesMoved = pagesMoved;
        this.pagesSkipped = pagesSkipped;
        this.pagesFailed = pagesFailed;
    }

    void finish(
            TaskState end,
            List<ProcessRecord> processes,
            @Nullable String code,
            @Nullable String message,
            Instant now) {
        moveTo(end);
        results = List.copyOf(processes);
        resultsJson = RESULTS.convertToDatabaseColumn(results);
        errorCode = code;
        errorMessage = message;
        finishedAt = now;
        leaseExpiresAt = null;
        // A task that succeeded with no process (a cpuset, or an evacuation's host, with nothing to
        // move) moved nothing, whatever its heartbeats counted while it looked.
        if (!processes.isEmpty() || end == TaskState.SUCCEEDED) {
            processesTotal = processes.size();
            processesDone = processes.size();
            pagesMoved = processes.stream().mapToLong(ProcessRecord::pagesMoved).sum();
            pagesSkipped = processes.stream()
                    .mapToLong(ProcessRecord::pagesSkippedTotal)
                    .sum();
            pagesFailed = processes.stream()
                    .mapToLong(ProcessRecord::pagesFailedTotal)
                    .sum();
            pagesToMove = processes.isEmpty() ? 0 : Math.max(pagesToMove, pagesMoved + pagesFailed);
        }
    }

    void requestCancel() {
        cancelRequested = true;
    }

    public UUID id() {
        return id;
    }

    public UUID jobId() {
        return jobId;
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

    /** What this task adds to its job's counters now. */
    TaskTally tally() {
        boolean ended = state.isTerminal();
        boolean ran =
                state == TaskState.SUCCEEDED || (ended && results().stream().anyMatch(ProcessRecord::ranToEnd));
        return new TaskTally(
                ended ? 1 : 0,
                state == TaskState.SUCCEEDED ? 1 : 0,
                ran ? 1 : 0,
                processesTotal,
                processesDone,
                pagesToMove,
                pagesMoved,
                pagesSkipped,
                pagesFailed);
    }

    public String host() {
        return host;
    }

    public TaskState state() {
        return state;
    }

    public int attempts() {
        return attempts;
    }

    public long epoch() {
        return epoch;
    }

    public @Nullable Instant leaseExpiresAt() {
        return leaseExpiresAt;
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

    public @Nullable String errorCode() {
        return errorCode;
    }

    public @Nullable String errorMessage() {
        return errorMessage;
    }

    public TaskTargets targets() {
        if (targets == null) {
            targets = TARGETS.convertToEntityAttribute(targetsJson);
        }
        return targets;
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

    /** Records an evacuation's nodes as its agent reported them; nothing for an empty list. */
    void evacuated(List<EvacuatedNode> nodes) {
        evacuated = nodes.isEmpty() ? null : List.copyOf(nodes);
    }

    /** An evacuation's nodes as its agent reported them; empty otherwise. */
    public List<EvacuatedNode> evacuated() {
        return evacuated == null ? List.of() : evacuated;
    }

    public List<ProcessRecord> results() {
        if (results == null && resultsJson != null) {
            results = RESULTS.convertToEntityAttribute(resultsJson);
        }
        return results == null ? List.of() : results;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }
}
