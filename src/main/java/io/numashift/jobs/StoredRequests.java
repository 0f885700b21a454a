package io.numashift.jobs;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

/** The stored requests of jobs; read through {@link JobRequests}. */
interface StoredRequests extends JpaRepository<StoredRequest, UUID> {}
