package io.numashift.jobs;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The states of a job, and which changes between them are legal. */
public enum JobState {
    QUEUED,
    RUNNING,
    CANCELLING,
    SUCCEEDED,
    PARTIALLY_FAILED,
    FAILED,
    CANCELLED;

    private static final Set<JobState> ENDS = EnumSet.of(SUCCEEDED, PARTIALLY_FAILED, FAILED, CANCELLED);
    private static final Map<JobState, Set<JobState>> NEXT = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLING, SUCCEEDED, PARTIALLY_FAILED, FAILED, CANCELLED),
            RUNNING, EnumSet.of(CANCELLING, SUCCEEDED, PARTIALLY_FAILED, FAILED),
            CANCELLING, EnumSet.of(CANCELLED),
            SUCCEEDED, EnumSet.noneOf(JobState.class),
            PARTIALLY_FAILED, EnumSet.noneOf(JobState.class),
            FAILED, EnumSet.noneOf(JobState.class),
            CANCELLED, EnumSet.noneOf(JobState.class));

    public boolean isTerminal() {
        return ENDS.contains(this);
    }

    public boolean canTransitionTo(JobState next) {
        return NEXT.get(this).contains(next);
    }
}
