package io.numashift.hosts;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** The registered hosts. */
public interface Hosts extends JpaRepository<Host, String> {

    /** Hosts not seen since {@code cutoff}. */
    @Query("select h.name from Host h where h.lastSeenAt < :cutoff order by h.name")
    java.util.List<String> namesSeenBefore(@Param("cutoff") java.time.Instant cutoff);

    long countByLastSeenAtBefore(java.time.Instant cutoff);

    /** Hosts named after {@code name}, in the pageable's order. */
    java.util.List<Host> findByNameGreaterThan(String name, org.springframework.data.domain.Pageable page);

    /** Of these names, those registered (without loading the hosts' topology). */
    @Query("select h.name from Host h where h.name in :names")
    java.util.List<String> registeredAmong(@Param("names") java.util.Collection<String> names);

    /** Of these names, those registered with their page size, as (name, page size). */
    @Query("select h.name, h.pageSize from Host h where h.name in :names")
    java.util.List<Object[]> pageSizesOf(@Param("names") java.util.Collection<String> names);

    /** Marks these hosts seen at {@code now}. */
    @Modifying
    @Query("update Host h set h.lastSeenAt = :now where h.name in :names and h.lastSeenAt < :now")
    int markSeen(@Param("names") java.util.Collection<String> names, @Param("now") java.time.Instant now);

    /**
     * Locks the host's row for the rest of the transaction, without loading its topology: leasing
     * takes this lock so that a host runs one task at a time.
     *
     * @return the name, or empty when no such host is registered
     */
    @Query(value = "select name from hosts where name = :name for update", nativeQuery = true)
    Optional<String> lockName(@Param("name") String name);
}
