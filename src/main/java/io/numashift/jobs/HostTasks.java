package io.numashift.jobs;

import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** The stored tasks, as the dispatcher looks for them. */
public interface HostTasks extends JpaRepository<HostTask, UUID> {

    /** The task, locked for the rest of the transaction: every change of a task takes this lock first. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select t from HostTask t where t.id = :id")
    Optional<HostTask> lockById(@Param("id") UUID id);

    /** The tasks of a job that have not ended, locked, in the order of their ids. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select t from HostTask t where t.jobId = :jobId and t.state in"
            + " (io.numashift.jobs.TaskState.PENDING, io.numashift.jobs.TaskState.RUNNING) order by t.id")
    List<HostTask> lockOpenOf(@Param("jobId") UUID jobId);

    /** The tasks of a job, by host. */
    List<HostTask> findByJobIdOrderByHost(UUID jobId);

    /** Pending tasks of a host, oldest first: the next ones to lease. */
    @Query("select t.id from HostTask t where t.host = :host and t.state = :state order by t.createdAt, t.id")
    List<UUID> idsByHostAndState(@Param("host") String host, @Param("state") TaskState state);

    long countByHostAndState(String host, TaskState state);

    /**
     * A running task of a host.
     *
     * @param host the host
     * @param taskId the task
     * @param jobId its job
     * @param attempts how many times it was leased
     */
    record Running(String host, UUID taskId, UUID jobId, int attempts) {}

    /** The running tasks of these hosts. */
    @Query("select new io.numashift.jobs.HostTasks$Running(t.host, t.id, t.jobId, t.attempts) from HostTask t"
            + " where t.state = io.numashift.jobs.TaskState.RUNNING and t.host in :hosts")
    List<Running> runningOn(@Param("hosts") java.util.Collection<String> hosts);

    /** The host of a task, without loading it. */
    @Query("select t.host from HostTask t where t.id = :id")
    Optional<String> hostOf(@Param("id") UUID taskId);

    /** Running tasks whose lease ran out. */
    @Query(
            "select t.id from HostTask t where t.state = io.numashift.jobs.TaskState.RUNNING and t.leaseExpiresAt < :now")
    List<UUID> expiredLeases(@Param("now") Instant now);

    /** Pending tasks of hosts, to fail when the hosts stay away. */
    @Query("select t.id from HostTask t where t.state = io.numashift.jobs.TaskState.PENDING and t.host in :hosts")
    List<UUID> pendingOf(@Param("hosts") List<String> hosts);

    @Query("select distinct t.host from HostTask t where t.state = io.numashift.jobs.TaskState.PENDING")
    List<String> hostsWithPendingTasks();
}
