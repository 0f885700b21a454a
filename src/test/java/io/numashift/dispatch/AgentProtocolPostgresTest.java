package io.numashift.dispatch;

import io.numashift.service.Databases;

/** The agent protocol tests on PostgreSQL, whose row locks decide the lease races of a cluster. */
@Databases.OnPostgres
class AgentProtocolPostgresTest extends AgentProtocolTest {}
