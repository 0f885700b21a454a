package io.numashift.dispatch;

import java.util.UUID;

/** No task with this id (code {@code TASK_NOT_FOUND}). */
public class TaskNotFoundException extends RuntimeException {
    public TaskNotFoundException(UUID id) {
        super("no task " + id);
    }

    /** A task id that is not even a UUID: no such task either. */
    public TaskNotFoundException(String id) {
        super("no task " + (id.length() > 64 ? id.substring(0, 64) + "…" : id));
    }
}
