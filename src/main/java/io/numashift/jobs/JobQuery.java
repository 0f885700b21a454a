package io.numashift.jobs;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Filters and a page of the job list.
 *
 * @param state only jobs in this state
 * @param labelKey with {@code labelValue}: only jobs with this label
 * @param labelValue the label's value
 * @param host only jobs with a task on this host
 * @param submittedBy only jobs of this submitter
 * @param limit at most this many jobs
 * @param after the position after which the page starts (newest first)
 */
public record JobQuery(
        @Nullable JobState state,
        @Nullable String labelKey,
        @Nullable String labelValue,
        @Nullable String host,
        @Nullable String submittedBy,
        int limit,
        @Nullable Position after) {

    /**
     * Where a page ends: jobs are ordered newest first by creation time, then id.
     *
     * @param createdAt the creation time of the last job of the previous page
     * @param id its id
     */
    public record Position(Instant createdAt, UUID id) {}
}
