package io.numashift.dispatch;

import java.util.UUID;

/** No task with this id (code {@code TASK_NOT_FOUND}). */
public class TaskNotFoundException extends RuntimeException {
    public TaskNotFoundException(UUID id) {
        super("no task " + id);
    }
}
