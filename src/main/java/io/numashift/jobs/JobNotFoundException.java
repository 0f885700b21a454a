package io.numashift.jobs;

import java.util.UUID;

/** No job with this id (code {@code JOB_NOT_FOUND}). */
public class JobNotFoundException extends RuntimeException {
    public JobNotFoundException(UUID id) {
        super("no job " + id);
    }

    public JobNotFoundException(String id) {
        super("no job " + id);
    }
}
