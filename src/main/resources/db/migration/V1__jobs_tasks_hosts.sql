-- One schema for H2 and PostgreSQL: portable types only.

create table hosts (
    name            varchar(255)  not null primary key,
    backend         varchar(32)   not null,
    agent_version   varchar(64)   not null,
    page_size       integer       not null,
    topology        text          not null,
    registered_at   timestamp(6) with time zone not null,
    last_seen_at    timestamp(6) with time zone not null
);

create table jobs (
    id               uuid          not null primary key,
    name             varchar(255),
    submitted_by     varchar(255)  not null,
    state            varchar(24)   not null,
    dry_run          boolean       not null,
    version          bigint        not null,
    created_at       timestamp(6) with time zone not null,
    started_at       timestamp(6) with time zone,
    finished_at      timestamp(6) with time zone,
    request          text          not null,
    idempotency_key  varchar(255),
    request_hash     varchar(64),
    cancel_requested boolean       not null
);
create unique index jobs_idempotency_key on jobs (submitted_by, idempotency_key);
create index jobs_created on jobs (created_at, id);
create index jobs_state on jobs (state, created_at);

create table job_labels (
    job_id      uuid          not null references jobs (id),
    label_key   varchar(255)  not null,
    label_value varchar(1024) not null,
    primary key (job_id, label_key)
);
create index job_labels_key_value on job_labels (label_key, label_value);

create table tasks (
    id               uuid          not null primary key,
    job_id           uuid          not null references jobs (id),
    host             varchar(255)  not null,
    state            varchar(24)   not null,
    attempts         integer       not null,
    epoch            bigint        not null,
    lease_expires_at timestamp(6) with time zone,
    created_at       timestamp(6) with time zone not null,
    started_at       timestamp(6) with time zone,
    finished_at      timestamp(6) with time zone,
    error_code       varchar(64),
    error_message    text,
    targets          text          not null,
    processes_total  integer       not null,
    processes_done   integer       not null,
    pages_to_move    bigint        not null,
    pages_moved      bigint        not null,
    pages_skipped    bigint        not null,
    pages_failed     bigint        not null,
    results          text,
    cancel_requested boolean       not null
);
create index tasks_job on tasks (job_id);
create index tasks_host_state on tasks (host, state, created_at);
