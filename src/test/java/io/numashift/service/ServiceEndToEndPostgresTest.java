package io.numashift.service;

/**
 * Every end-to-end test again, with the service on PostgreSQL instead of H2: Flyway's migration,
 * Hibernate's schema validation, the row locks of dispatch and the queries of the job list on the
 * database of a cluster.
 */
@Databases.OnPostgres
class ServiceEndToEndPostgresTest extends ServiceEndToEndTest {}
