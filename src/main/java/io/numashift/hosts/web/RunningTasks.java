package io.numashift.hosts.web;

import io.numashift.jobs.HostTasks;
import io.numashift.jobs.TaskState;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** The task a host runs now, for the host view. */
@Component
class RunningTasks {
    private final HostTasks tasks;

    RunningTasks(HostTasks tasks) {
        this.tasks = tasks;
    }

    @Transactional(readOnly = true)
    @Nullable
    Map<String, Object> of(String host) {
        return tasks.findFirstByHostAndState(host, TaskState.RUNNING)
                .map(t -> Map.<String, Object>of(
                        "taskId", t.id(), "jobId", t.job().id(), "attempts", t.attempts()))
                .orElse(null);
    }
}
