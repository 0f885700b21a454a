-- A job's row carries the sums of its tasks, so that a change of one task changes its job by one
-- update of one small row, and a job's summary is read without its tasks. The request, which
-- names every host's targets, moves to a table of its own: a 10,000-host job's request is large,
-- and the job's row is read and written at every change of any of its tasks.

alter table jobs add column tasks_total integer not null default 0;
alter table jobs add column tasks_ended integer not null default 0;
alter table jobs add column tasks_succeeded integer not null default 0;
alter table jobs add column tasks_ran integer not null default 0;
alter table jobs add column processes_total integer not null default 0;
alter table jobs add column processes_done integer not null default 0;
alter table jobs add column pages_to_move bigint not null default 0;
alter table jobs add column pages_moved bigint not null default 0;
alter table jobs add column pages_skipped bigint not null default 0;
alter table jobs add column pages_failed bigint not null default 0;

-- A task "ran" when it succeeded or a process of it ran to its end; without a cancel, that is a
-- task that ended SUCCEEDED or PARTIALLY_FAILED (a cancelled job ends CANCELLED whatever ran).
update jobs set
    tasks_total = (select count(*) from tasks t where t.job_id = jobs.id),
    tasks_ended = (select count(*) from tasks t where t.job_id = jobs.id
                   and t.state in ('SUCCEEDED', 'PARTIALLY_FAILED', 'FAILED', 'CANCELLED')),
    tasks_succeeded = (select count(*) from tasks t where t.job_id = jobs.id and t.state = 'SUCCEEDED'),
    tasks_ran = (select count(*) from tasks t where t.job_id = jobs.id
                 and t.state in ('SUCCEEDED', 'PARTIALLY_FAILED')),
    processes_total = (select coalesce(sum(t.processes_total), 0) from tasks t where t.job_id = jobs.id),
    processes_done = (select coalesce(sum(t.processes_done), 0) from tasks t where t.job_id = jobs.id),
    pages_to_move = (select coalesce(sum(t.pages_to_move), 0) from tasks t where t.job_id = jobs.id),
    pages_moved = (select coalesce(sum(t.pages_moved), 0) from tasks t where t.job_id = jobs.id),
    pages_skipped = (select coalesce(sum(t.pages_skipped), 0) from tasks t where t.job_id = jobs.id),
    pages_failed = (select coalesce(sum(t.pages_failed), 0) from tasks t where t.job_id = jobs.id);

create table job_requests (
    job_id   uuid  not null primary key references jobs (id),
    request  text  not null
);
insert into job_requests (job_id, request) select id, request from jobs;
alter table jobs drop column request;

-- The job list filtered by host: the jobs with a task on the host, newest first.
create index tasks_host_job on tasks (host, job_id);
