package io.numashift.jobs.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationStatus;
import io.numashift.core.backend.Errno;
import io.numashift.jobs.HostTask;
import io.numashift.jobs.JobDetails;
import io.numashift.jobs.JobRequest;
import io.numashift.jobs.JobState;
import io.numashift.jobs.MigrationJob;
import io.numashift.jobs.ProcessRecord;
import io.numashift.jobs.TaskState;
import io.numashift.protocol.Evacuate;
import io.numashift.protocol.EvacuatedNode;
import io.numashift.protocol.NodeMemory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job as the API shows it: its request, progress aggregated over its hosts, its tasks with each
 * process's result, and every failure flattened for batch schedulers.
 */
public record JobView(
        UUID id,
        @Nullable String name,
        Map<String, String> labels,
        String submittedBy,
        JobState state,
        boolean dryRun,
        long version,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable RequestView request,
        Progress progress,
        @Nullable List<TaskView> tasks,
        @Nullable List<Failure> failures) {

    /**
     * The submitted request, normalised: every option filled in, addresses as hex strings.
     *
     * @param name a name for people
     * @param labels the labels
     * @param targets the targets as given
     * @param range the address range, or null for the whole address space
     * @param oldNodes the nodes pages move from
     * @param newNodes the nodes pages move to, entry by entry
     * @param count the length of both node lists
     * @param options every option
     * @param evacuate for an evacuation, the nodes it empties (also its {@code oldNodes}; it has no
     *     {@code newNodes}); absent for a migration
     */
    public record RequestView(
            @Nullable String name,
            Map<String, String> labels,
            List<JobRequest.Target> targets,
            @Nullable RangeView range,
            List<Integer> oldNodes,
            List<Integer> newNodes,
            int count,
            MigrationOptions options,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Evacuate evacuate) {
        static RequestView of(JobRequest request) {
            return new RequestView(
                    request.name(),
                    request.labels(),
                    request.targets(),
                    request.range() == null
                            ? null
                            : new RangeView(
                                    hex(request.range().start()),
                                    hex(request.range().end())),
                    request.oldNodes(),
                    request.newNodes(),
                    request.count() == null ? request.oldNodes().size() : request.count(),
                    request.options(),
                    request.evacuate());
        }
    }

    /**
     * An address range.
     *
     * @param start first address, hex
     * @param end address after the last byte, hex
     */
    public record RangeView(String start, String end) {}

    /**
     * Progress over every host.
     *
     * @param hostsTotal hosts of the job
     * @param hostsDone hosts whose task ended
     * @param processesTotal processes known so far
     * @param processesDone processes done
     * @param pagesToMove pages to move known so far
     * @param pagesMoved pages moved
     * @param pagesSkipped pages skipped
     * @param pagesFailed pages failed
     * @param percent how far, 0 to 100
     */
    public record Progress(
            int hostsTotal,
            int hostsDone,
            int processesTotal,
            int processesDone,
            long pagesToMove,
            long pagesMoved,
            long pagesSkipped,
            long pagesFailed,
            double percent) {}

    /**
     * One host's task.
     *
     * @param host the host
     * @param state its state
     * @param attempts how many times it was leased
     * @param startedAt first lease
     * @param finishedAt end
     * @param error why it failed without results
     * @param processes each process's result
     * @param evacuated for an evacuation, each node it empties with the pages its processes had
     *     there before and have there after; absent for a migration
     */
    public record TaskView(
            String host,
            TaskState state,
            int attempts,
            @Nullable Instant startedAt,
            @Nullable Instant finishedAt,
            @Nullable TaskError error,
            List<ProcessResult> processes,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            List<NodePages> evacuated) {}

    /**
     * One node an evacuation empties on a host.
     *
     * @param node the node
     * @param pagesBefore the pages the host's reported processes had there before (a sum of their
     *     placements: a shared page counts once per process)
     * @param pagesAfter the same after (a dry run's: as planned)
     * @param usedBefore the pages in use on the node before, as the host counts them (every page
     *     of it); absent until the host reported
     * @param usedAfter the same after (a dry run's: as planned); absent until the host reported
     * @param memory with {@code offline} or {@code online}: what became of the node's memory
     *     blocks ({@code {node, state, blocks, inState, errno, message}}); absent otherwise
     */
    public record NodePages(
            int node,
            long pagesBefore,
            long pagesAfter,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Long usedBefore,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Long usedAfter,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            NodeMemory memory) {
        static List<NodePages> of(List<Integer> nodes, List<ProcessRecord> processes, List<EvacuatedNode> reported) {
            return nodes.stream()
                    .map(node -> {
                        EvacuatedNode host = reported.stream()
                                .filter(n -> n.node() == node)
                                .findFirst()
                                .orElse(null);
                        return new NodePages(
                                node,
                                processes.stream()
                                        .mapToLong(p -> p.placementBefore().getOrDefault(node, 0L))
                                        .sum(),
                                processes.stream()
                                        .mapToLong(p -> p.placementAfter().getOrDefault(node, 0L))
                                        .sum(),
                                host == null ? null : host.usedBefore(),
                                host == null ? null : host.usedAfter(),
                                host == null ? null : host.memory());
                    })
                    .toList();
        }
    }

    /**
     * A task-level error.
     *
     * @param code e.g. {@code AGENT_LOST}, {@code HOST_UNAVAILABLE}
     * @param message what happened
     */
    public record TaskError(String code, @Nullable String message) {}

    /**
     * Something that did not succeed.
     *
     * @param host the host
     * @param pid the process, or null for the whole host
     * @param code errno or symbolic code
     * @param message what happened
     */
    public record Failure(
            String host,
            @Nullable Integer pid,
            String code,
            @Nullable String message) {}

    /** The whole job. */
    static JobView of(JobDetails details) {
        List<TaskView> tasks = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (HostTask task : details.tasks()) {
            TaskError error = task.errorCode() == null ? null : new TaskError(task.errorCode(), task.errorMessage());
            tasks.add(new TaskView(
                    task.host(),
                    task.state(),
                    task.attempts(),
                    task.startedAt(),
                    task.finishedAt(),
                    error,
                    task.results().stream().map(ProcessResult::of).toList(),
                    details.request().isEvacuation()
                            ? NodePages.of(details.request().oldNodes(), task.results(), task.evacuated())
                            : null));
            failures.addAll(failures(task));
        }
        return build(details.job(), RequestView.of(details.request()), tasks, failures);
    }

    /** A list item: no request, tasks or failures; read from the job's counters alone. */
    static JobView summary(MigrationJob job) {
        return build(job, null, null, null);
    }

    private static JobView build(
            MigrationJob job,
            @Nullable RequestView request,
            @Nullable List<TaskView> tasks,
            @Nullable List<Failure> failures) {
        long toMove = job.pagesToMove();
        double percent;
        if (job.state().isTerminal()) {
            percent = 100.0;
        } else if (toMove > 0) {
            percent = Math.min(100.0, 100.0 * (job.pagesMoved() + job.pagesFailed()) / toMove);
        } else {
            percent = job.tasksTotal() == 0 ? 0 : 100.0 * job.tasksEnded() / job.tasksTotal();
        }
        percent = Math.round(percent * 10) / 10.0;
        Progress progress = new Progress(
                job.tasksTotal(),
                job.tasksEnded(),
                job.processesTotal(),
                job.processesDone(),
                toMove,
                job.pagesMoved(),
                job.pagesSkipped(),
                job.pagesFailed(),
                percent);
        return new JobView(
                job.id(),
                job.name(),
                job.labels(),
                job.submittedBy(),
                job.state(),
                job.dryRun(),
                job.version(),
                job.createdAt(),
                job.startedAt(),
                job.finishedAt(),
                request,
                progress,
                tasks,
                failures);
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    private static List<Failure> failures(HostTask task) {
        List<Failure> failures = new ArrayList<>();
        if (!task.state().isTerminal() || task.state() == TaskState.SUCCEEDED) {
            return failures;
        }
        if (task.results().isEmpty() || task.errorCode() != null) {
            failures.add(new Failure(
                    task.host(),
                    null,
                    task.errorCode() == null ? task.state().name() : task.errorCode(),
                    task.errorMessage()));
        }
        for (ProcessRecord process : task.results()) {
            if (process.status() == MigrationStatus.SUCCEEDED) {
                continue;
            }
            failures.add(new Failure(task.host(), process.pid(), code(process), message(process)));
        }
        return failures;
    }

    private static String code(ProcessRecord process) {
        if (process.errno() != null) {
            return process.errno().name();
        }
        if (process.status() == MigrationStatus.CANCELLED) {
            return "CANCELLED";
        }
        if (!process.pagesFailed().isEmpty()) {
            // The errno of most failed pages; of equal counts, the first in errno order.
            return process.pagesFailed().entrySet().stream()
                    .max(java.util.Map.Entry.<Errno, Long>comparingByValue()
                            .thenComparing(java.util.Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                    .orElseThrow()
                    .getKey()
                    .name();
        }
        return process.pagesLeftOnOldNodes() > 0
                ? "PAGES_LEFT_ON_OLD_NODES"
                : process.status().name();
    }

    private static @Nullable String message(ProcessRecord process) {
        if (process.message() != null) {
            return process.message();
        }
        if (!process.pagesFailed().isEmpty()) {
            return "pages failed: " + new java.util.TreeMap<>(process.pagesFailed());
        }
        return null;
    }
}
