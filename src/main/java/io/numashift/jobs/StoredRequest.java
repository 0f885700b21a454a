package io.numashift.jobs;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/** A job's request as submitted, normalised; never changed. */
@Entity
@Table(name = "job_requests")
class StoredRequest implements Persistable<UUID> {
    @Id
    private UUID jobId;

    @Column(name = "request")
    @Convert(converter = JsonColumns.RequestColumn.class)
    private JobRequest request;

    @Transient
    private boolean created;

    protected StoredRequest() {
        // for JPA
        this.jobId = new UUID(0, 0);
        this.request = null;
    }

    StoredRequest(UUID jobId, JobRequest request) {
        this.jobId = jobId;
        this.request = request;
        this.created = true;
    }

    JobRequest request() {
        return request;
    }

    @Override
    public UUID getId() {
        return jobId;
    }

    @Override
    public boolean isNew() {
        return created;
    }

    @PostPersist
    @PostLoad
    void stored() {
        created = false;
    }
}
