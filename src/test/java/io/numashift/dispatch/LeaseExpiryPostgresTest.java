package io.numashift.dispatch;

import io.numashift.service.Databases;

/** The lease expiry tests on PostgreSQL: the reaper's queries and locks on the database of a cluster. */
@Databases.OnPostgres
class LeaseExpiryPostgresTest extends LeaseExpiryTest {}
