package io.numashift.jobs;

import io.numashift.hosts.Host;
import io.numashift.hosts.HostRegistry;
import io.numashift.storage.JsonColumn;
import jakarta.persistence.criteria.MapJoin;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import jakarta.persistence.criteria.Subquery;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.Hibernate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Submits, reads, lists, cancels and retries jobs. */
@Service
public class JobService {
    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    private final MigrationJobs jobs;
    private final HostTasks tasks;
    private final JobRequests requests;
    private final HostRegistry hosts;
    private final TransactionTemplate transactions;
    /** Transactions that only read: no flush, no dirty checking, nothing to write after them. */
    private final TransactionTemplate reads;

    private final InstantSource clock;
    private final JobMetrics metrics;

    JobService(
            MigrationJobs jobs,
            HostTasks tasks,
            JobRequests requests,
            HostRegistry hosts,
            TransactionTemplate transactions,
            InstantSource clock,
            JobMetrics metrics) {
        this.metrics = metrics;
        this.jobs = jobs;
        this.tasks = tasks;
        this.requests = requests;
        this.hosts = hosts;
        this.transactions = transactions;
        this.reads = new TransactionTemplate(transactions.getTransactionManager());
        this.reads.setReadOnly(true);
        this.clock = clock;
    }

    /**
     * The outcome of a submit.
     *
     * @param job the job
     * @param created false when an earlier submit with the same Idempotency-Key made it
     */
    public record Submission(JobDetails job, boolean created) {}

    /**
     * Submits a job; with an Idempotency-Key, a repeat of the same request returns the first job.
     *
     * @throws UnknownHostsException when a host never registered
     * @throws InvalidJobRequestException when the range is not aligned to a target host's page size
     * @throws IdempotencyConflictException when the key was used with another request
     */
    public Submission submit(JobRequest request, String submittedBy, @Nullable String idempotencyKey) {
        List<String> unknown = hosts.unknown(request.targetsByHost().keySet());
        if (!unknown.isEmpty()) {
            throw new UnknownHostsException(unknown);
        }
        if (request.range() != null) {
            for (var host : hosts.pageSizes(request.targetsByHost().keySet()).entrySet()) {
                request.plan().rangeViolation(host.getValue()).ifPresent(invalid -> {
                    throw new InvalidJobRequestException(
                            invalid.field(), invalid.message() + " of host " + host.getKey());
                });
            }
        }
        String hash = hash(request);
        if (idempotencyKey != null) {
            var earlier = existing(submittedBy, idempotencyKey, hash);
            if (earlier != null) {
                return earlier;
            }
        }
        try {
            JobDetails job = transactions.execute(tx -> {
                MigrationJob.Submitted submitted = MigrationJob.submit(
                        UUID.randomUUID(),
                        request,
                        submittedBy,
                        clock.instant(),
                        idempotencyKey,
                        idempotencyKey == null ? null : hash);
                MigrationJob created = jobs.save(submitted.job());
                requests.save(created.id(), request);
                tasks.saveAll(submitted.tasks());
                return new JobDetails(created, request, submitted.tasks());
            });
            metrics.submitted();
            try (var id = MDC.putCloseable("jobId", job.job().id().toString())) {
                log.info(
                        "submitted by {} for hosts {}",
                        submittedBy,
                        request.targetsByHost().keySet());
            }
            return new Submission(job, true);
        } catch (DataIntegrityViolationException race) {
            // A concurrent submit with the same key won: answer with its job.
            if (idempotencyKey != null) {
                var earlier = existing(submittedBy, idempotencyKey, hash);
                if (earlier != null) {
                    return earlier;
                }
            }
            throw race;
        }
    }

    /** The names of every registered host, ascending (an evacuation of all hosts). */
    public List<String> hostNames() {
        return reads.execute(tx -> hosts.all().stream().map(Host::name).sorted().toList());
    }

    private @Nullable Submission existing(String submittedBy, String key, String hash) {
        return reads.execute(tx -> jobs.findBySubmittedByAndIdempotencyKey(submittedBy, key)
                .map(job -> {
                    if (!hash.equals(job.requestHash())) {
                        throw new IdempotencyConflictException(key);
                    }
                    return new Submission(details(job), false);
                })
                .orElse(null));
    }

    /**
     * A job with its request and tasks.
     *
     * @throws JobNotFoundException when there is no such job
     */
    public JobDetails find(UUID id) {
        return reads.execute(tx -> details(jobs.findById(id).orElseThrow(() -> new JobNotFoundException(id))));
    }

    private JobDetails details(MigrationJob job) {
        Hibernate.initialize(job.labels());
        return new JobDetails(job, requests.of(job.id()), tasks.findByJobIdOrderByHost(job.id()));
    }

    /** The job's version, for waiting readers; cheaper than reading the job. */
    public long version(UUID id) {
        return reads.execute(tx -> jobs.versionOf(id).orElseThrow(() -> new JobNotFoundException(id)));
    }

    /**
     * Up to {@code query.limit()} jobs that match the query, newest first, without their requests
     * and tasks. The filters on labels and hosts are semi-joins (no {@code distinct} sort of every
     * match), and nothing is counted: a page costs the same whatever the number of jobs stored.
     */
    public List<MigrationJob> list(JobQuery query) {
        Specification<MigrationJob> spec = (root, q, cb) -> {
            List<Predicate> where = new ArrayList<>();
            if (query.state() != null) {
                where.add(cb.equal(root.get("state"), query.state()));
            }
            if (query.submittedBy() != null) {
                where.add(cb.equal(root.get("submittedBy"), query.submittedBy()));
            }
            if (query.labelKey() != null) {
                Subquery<Integer> labelled = q.subquery(Integer.class);
                Root<MigrationJob> same = labelled.from(MigrationJob.class);
                MapJoin<MigrationJob, String, String> labels = same.joinMap("labels");
                labelled.select(cb.literal(1))
                        .where(
                                cb.equal(same.get("id"), root.get("id")),
                                cb.equal(labels.key(), query.labelKey()),
                                cb.equal(labels.value(), query.labelValue()));
                where.add(cb.exists(labelled));
            }
            if (query.host() != null) {
                Subquery<Integer> onHost = q.subquery(Integer.class);
                Root<HostTask> task = onHost.from(HostTask.class);
                onHost.select(cb.literal(1))
                        .where(cb.equal(task.get("jobId"), root.get("id")), cb.equal(task.get("host"), query.host()));
                where.add(cb.exists(onHost));
            }
            if (query.after() != null) {
                var createdAt = root.<java.time.Instant>get("createdAt");
                where.add(cb.or(
                        cb.lessThan(createdAt, query.after().createdAt()),
                        cb.and(
                                cb.equal(createdAt, query.after().createdAt()),
                                cb.lessThan(root.<UUID>get("id"), query.after().id()))));
            }
            return cb.and(where.toArray(Predicate[]::new));
        };
        Sort newestFirst = Sort.by(Sort.Order.desc("createdAt"), Sort.Order.desc("id"));
        return reads.execute(tx -> {
            List<MigrationJob> page = jobs.findBy(
                    spec, q -> q.sortBy(newestFirst).limit(query.limit()).all());
            page.forEach(job -> Hibernate.initialize(job.labels()));
            return page;
        });
    }

    /**
     * Cancels a job.
     *
     * @throws InvalidJobStateException when it has ended
     */
    public JobDetails cancel(UUID id) {
        return transactions.execute(tx -> {
            // Tasks first, then their job: the order in which every change of a task locks them.
            List<HostTask> open = tasks.lockOpenOf(id);
            MigrationJob job = jobs.lockById(id).orElseThrow(() -> new JobNotFoundException(id));
            job.cancel(open, clock.instant());
            jobs.save(job);
            try (var jobId = MDC.putCloseable("jobId", id.toString())) {
                log.info("cancel requested; job is {}", job.state());
            }
            return details(job);
        });
    }

    /**
     * A new job for the hosts and processes of a finished job that did not succeed, with the same
     * mapping and options; its labels carry {@code retryOf}.
     *
     * @throws InvalidJobStateException when the job has not ended or nothing failed
     */
    public JobDetails retry(UUID id, String submittedBy) {
        JobDetails original = find(id);
        if (!original.job().state().isTerminal()) {
            throw new InvalidJobStateException(
                    "job " + id + " is " + original.job().state() + "; retry it once it ended");
        }
        List<JobRequest.Target> targets = new ArrayList<>();
        for (HostTask task : original.tasks()) {
            if (task.state() == TaskState.SUCCEEDED) {
                continue;
            }
            TaskTargets asked = task.targets();
            if (original.request().isEvacuation()) {
                // An evacuation runs again on the host as a whole: pages of any of its processes
                // may still be on the nodes.
                targets.addAll(again(task.host(), asked));
                continue;
            }
            List<Integer> reported =
                    task.results().stream().map(ProcessRecord::pid).toList();
            // The processes that did not succeed, and those the task named but never reported (it
            // failed before it got to them): a rerun moves only what is left.
            TreeSet<Integer> again = new TreeSet<>();
            task.results().stream()
                    .filter(p -> !p.succeeded())
                    .map(ProcessRecord::pid)
                    .forEach(again::add);
            asked.pids().stream().filter(pid -> !reported.contains(pid)).forEach(again::add);
            if (!again.isEmpty()) {
                targets.add(new JobRequest.Target(List.of(task.host()), List.copyOf(again), null));
            }
            // A cpuset's or a Slurm job's processes are known on the host only: run it again unless
            // every process the task reported succeeded and it reported no task-level error.
            boolean groupsAgain = task.results().isEmpty() || task.errorCode() != null;
            if (groupsAgain) {
                for (String cpuset : asked.cpusets()) {
                    targets.add(new JobRequest.Target(List.of(task.host()), null, cpuset));
                }
                for (String slurmJob : asked.slurmJobs()) {
                    targets.add(new JobRequest.Target(List.of(task.host()), null, null, slurmJob));
                }
            }
        }
        if (targets.isEmpty()) {
            throw new InvalidJobStateException("job " + id + " has nothing that failed to retry");
        }
        JobRequest before = original.request();
        Map<String, String> labels = new LinkedHashMap<>(before.labels());
        labels.put("retryOf", id.toString());
        JobRequest again = new JobRequest(
                before.name(),
                labels,
                targets,
                before.range(),
                before.oldNodes(),
                before.newNodes(),
                before.count(),
                before.options(),
                before.evacuate());
        return submit(again, submittedBy, null).job();
    }

    /** The targets of one host's task, as they were asked. */
    private static List<JobRequest.Target> again(String host, TaskTargets asked) {
        List<JobRequest.Target> targets = new ArrayList<>();
        List<String> hosts = List.of(host);
        if (asked.everyProcess()) {
            targets.add(new JobRequest.Target(hosts, null, null, null));
        }
        if (!asked.pids().isEmpty()) {
            targets.add(new JobRequest.Target(hosts, asked.pids(), null));
        }
        asked.cpusets().forEach(cpuset -> targets.add(new JobRequest.Target(hosts, null, cpuset)));
        asked.slurmJobs().forEach(job -> targets.add(new JobRequest.Target(hosts, null, null, job)));
        return targets;
    }

    private static String hash(JobRequest request) {
        try {
            byte[] json = JsonColumn.MAPPER.writeValueAsString(request).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
