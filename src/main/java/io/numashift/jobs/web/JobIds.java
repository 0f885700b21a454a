package io.numashift.jobs.web;

import io.numashift.jobs.JobNotFoundException;
import java.util.UUID;

/** Job ids in paths: a malformed id is simply a job that does not exist. */
final class JobIds {
    private JobIds() {}

    static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new JobNotFoundException(id.length() > 64 ? id.substring(0, 64) + "…" : id);
        }
    }
}
