package io.numashift.jobs;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** The stored jobs. */
public interface MigrationJobs extends JpaRepository<MigrationJob, UUID>, JpaSpecificationExecutor<MigrationJob> {

    /** The job, locked for the rest of the transaction: every change of a job or its tasks takes this lock. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select j from MigrationJob j where j.id = :id")
    Optional<MigrationJob> lockById(@Param("id") UUID id);

    Optional<MigrationJob> findBySubmittedByAndIdempotencyKey(String submittedBy, String idempotencyKey);

    @Query("select j.version from MigrationJob j where j.id = :id")
    Optional<Long> versionOf(@Param("id") UUID id);
}
