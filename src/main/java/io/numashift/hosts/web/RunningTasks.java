package io.numashift.hosts.web;

import io.numashift.jobs.HostTasks;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** The tasks that hosts run now, for the host views. */
@Component
class RunningTasks {
    private final HostTasks tasks;

    RunningTasks(HostTasks tasks) {
        this.tasks = tasks;
    }

    /**
     * A host's running task.
     *
     * @param taskId the task
     * @param jobId its job
     * @param attempts how many times it was leased
     */
    record RunningTask(UUID taskId, UUID jobId, int attempts) {}

    /** The running task of each of these hosts that runs one, in one query. */
    @Transactional(readOnly = true)
    Map<String, RunningTask> on(Collection<String> hosts) {
        Map<String, RunningTask> running = new HashMap<>();
        if (hosts.isEmpty()) {
            return running;
        }
        for (HostTasks.Running task : tasks.runningOn(hosts)) {
            running.putIfAbsent(task.host(), new RunningTask(task.taskId(), task.jobId(), task.attempts()));
        }
        return running;
    }
}
