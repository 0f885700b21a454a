-- The reaper looks for running tasks whose lease ran out and for hosts with pending work every
-- second; without an index led by the state it scans every task ever stored.
create index tasks_state_lease on tasks (state, lease_expires_at);
