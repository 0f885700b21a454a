package io.numashift.jobs.web;

import io.numashift.jobs.JobDetails;
import io.numashift.jobs.JobService;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Views of jobs, kept by version: a job's version changes with every change of the job, so a read
 * of an unchanged job costs one query of its version instead of loading it with its tasks and
 * results. Dashboards poll unchanged jobs most of the time. Reads, blocking reads and event streams
 * go through {@link #current}; submits, cancels and retries remember the job they answer with.
 */
@Component
class JobViews {
    private static final int CAPACITY = 4096;

    private final JobService jobs;
    private final Map<UUID, JobView> recent = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, JobView> eldest) {
            return size() > CAPACITY;
        }
    });

    JobViews(JobService jobs) {
        this.jobs = jobs;
    }

    /** The job as it is now. */
    JobView current(UUID id) {
        long version = jobs.version(id);
        JobView cached = recent.get(id);
        if (cached != null && cached.version() == version) {
            return cached;
        }
        return remember(jobs.find(id));
    }

    /** The view of a job just read or changed, remembered for the next read. */
    JobView remember(JobDetails job) {
        JobView view = JobView.of(job);
        recent.put(view.id(), view);
        return view;
    }
}
