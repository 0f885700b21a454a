package io.numashift.jobs;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The states of one host's task, and which changes between them are legal. */
public enum TaskState {
    PENDING,
    RUNNING,
    SUCCEEDED,
    PARTIALLY_FAILED,
    FAILED,
    CANCELLED;

    private static final Map<TaskState, Set<TaskState>> NEXT = Map.of(
            PENDING, EnumSet.of(RUNNING, FAILED, CANCELLED),
            // RUNNING -> PENDING: the lease expired and the task is offered again.
            RUNNING, EnumSet.of(PENDING, SUCCEEDED, PARTIALLY_FAILED, FAILED, CANCELLED),
            SUCCEEDED, EnumSet.noneOf(TaskState.class),
            PARTIALLY_FAILED, EnumSet.noneOf(TaskState.class),
            FAILED, EnumSet.noneOf(TaskState.class),
            CANCELLED, EnumSet.noneOf(TaskState.class));

    public boolean isTerminal() {
        return NEXT.get(this).isEmpty();
    }

    public boolean canTransitionTo(TaskState next) {
        return NEXT.get(this).contains(next);
    }
}
