package io.numashift.jobs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Jobs' requests. A request never changes once stored, so the requests read last are kept parsed:
 * a lease and a result need their job's mapping and options, and a request that names 10,000 hosts
 * is parsed once, not at every change of one of its tasks. Kept by the number of targets they hold
 * (at most {@value #TARGETS_KEPT} in all), not by count.
 */
@Component
public class JobRequests {
    private static final long TARGETS_KEPT = 200_000;

    private final StoredRequests store;
    private final Cache<UUID, JobRequest> parsed = Caffeine.newBuilder()
            .maximumWeight(TARGETS_KEPT)
            .<UUID, JobRequest>weigher((id, request) -> 1 + request.targets().size())
            .build();

    JobRequests(StoredRequests store) {
        this.store = store;
    }

    /** Stores the request of a job just submitted. */
    void save(UUID jobId, JobRequest request) {
        store.save(new StoredRequest(jobId, request));
        parsed.put(jobId, request);
    }

    /**
     * The request of a job; inside a transaction.
     *
     * @throws JobNotFoundException when there is no such job
     */
    public JobRequest of(UUID jobId) {
        return parsed.get(
                jobId,
                id -> store.findById(id).map(StoredRequest::request).orElseThrow(() -> new JobNotFoundException(id)));
    }
}
