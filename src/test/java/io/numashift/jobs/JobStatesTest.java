package io.numashift.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.MigrationStatus;
import io.numashift.core.backend.Errno;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * How a task's and a job's end state follow from what their processes did: a process that ran to
 * its end ({@code SUCCEEDED} or {@code PARTIAL}) counts as (partly) succeeded, so {@code FAILED}
 * means that no process did. Every combination of up to three processes per task, with and without
 * a task-level error and a cancel, and every combination of task ends over two hosts.
 */
class JobStatesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final MigrationStatus[] STATUSES = MigrationStatus.values();

    @Test
    void aJobWhoseOnlyProcessEndedPartialIsPartiallyFailedNotFailed() {
        MigrationJob job = job("n001");
        HostTask task = leased(job, "n001");
        ProcessRecord partial = process(4242, MigrationStatus.PARTIAL, 10, 7, Map.of(Errno.EBUSY, 3L));

        job.reported(task, List.of(partial), null, null, NOW);

        assertThat(task.state()).isEqualTo(TaskState.PARTIALLY_FAILED);
        assertThat(job.state()).isEqualTo(JobState.PARTIALLY_FAILED);
    }

    @Test
    void everyCombinationOfProcessOutcomesGivesTheTaskAndJobStateOfTheRule() {
        for (List<MigrationStatus> statuses : combinations(3)) {
            for (String error : new String[] {null, "AGENT_ERROR"}) {
                for (boolean cancel : new boolean[] {false, true}) {
                    MigrationJob job = job("n001");
                    HostTask task = leased(job, "n001");
                    if (cancel) {
                        job.cancel(open(job), NOW);
                    }
                    List<ProcessRecord> processes = new ArrayList<>();
                    for (int i = 0; i < statuses.size(); i++) {
                        processes.add(process(100 + i, statuses.get(i), 10, moved(statuses.get(i)), Map.of()));
                    }

                    job.reported(task, processes, error, error == null ? null : "failed", NOW);

                    String what = statuses + " error " + error + " cancel " + cancel;
                    TaskState expectedTask = expectedTaskEnd(statuses, error, cancel);
                    assertThat(task.state()).as(what).isEqualTo(expectedTask);
                    assertThat(job.state())
                            .as(what)
                            .isEqualTo(cancel ? JobState.CANCELLED : expectedJobEnd(List.of(task)));
                    assertThat(job.finishedAt()).as(what).isEqualTo(NOW);
                }
            }
        }
    }

    @Test
    void everyCombinationOfTaskEndsOverTwoHostsGivesTheJobStateOfTheRule() {
        List<List<MigrationStatus>> outcomes = new ArrayList<>(combinations(2));
        for (List<MigrationStatus> first : outcomes) {
            for (List<MigrationStatus> second : outcomes) {
                for (boolean secondLost : new boolean[] {false, true}) {
                    MigrationJob job = job("n001", "n002");
                    HostTask a = leased(job, "n001");
                    HostTask b = leased(job, "n002");
                    job.reported(a, processes(first), null, null, NOW);
                    assertThat(job.state().isTerminal()).isFalse();
                    if (secondLost) {
                        job.taskFailed(b, "AGENT_LOST", "gone", NOW);
                    } else {
                        job.reported(b, processes(second), null, null, NOW);
                    }

                    String what = first + " and " + (secondLost ? "AGENT_LOST" : second);
                    assertThat(job.state()).as(what).isEqualTo(expectedJobEnd(List.of(a, b)));
                    if (secondLost) {
                        assertThat(b.state()).isEqualTo(TaskState.FAILED);
                    }
                }
            }
        }
    }

    @Test
    void aProcessThatFailedAfterMovingPagesDoesNotMakeItsTaskPartlySucceeded() {
        MigrationJob job = job("n001");
        HostTask task = leased(job, "n001");
        ProcessRecord outOfMemory = process(7, MigrationStatus.FAILED, 10, 4, Map.of(Errno.ENOMEM, 6L));

        job.reported(task, List.of(outOfMemory), null, null, NOW);

        assertThat(task.state()).isEqualTo(TaskState.FAILED);
        assertThat(job.state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void aTaskWithNoProcessesToMigrateSucceeds() {
        MigrationJob job = job("n001");
        HostTask task = leased(job, "n001");

        job.reported(task, List.of(), null, null, NOW);

        assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    }

    /** The rule, stated on its own. */
    private static TaskState expectedTaskEnd(List<MigrationStatus> statuses, @Nullable String error, boolean cancel) {
        if (error == null && cancel && statuses.contains(MigrationStatus.CANCELLED)) {
            return TaskState.CANCELLED;
        }
        if (error == null && statuses.stream().allMatch(s -> s == MigrationStatus.SUCCEEDED)) {
            return TaskState.SUCCEEDED;
        }
        boolean partly = statuses.contains(MigrationStatus.SUCCEEDED) || statuses.contains(MigrationStatus.PARTIAL);
        return partly ? TaskState.PARTIALLY_FAILED : TaskState.FAILED;
    }

    private static JobState expectedJobEnd(List<HostTask> tasks) {
        if (tasks.stream().allMatch(t -> t.state() == TaskState.SUCCEEDED)) {
            return JobState.SUCCEEDED;
        }
        boolean partly = tasks.stream()
                .anyMatch(t -> t.state() == TaskState.SUCCEEDED
                        || t.results().stream()
                                .anyMatch(p -> p.status() == MigrationStatus.SUCCEEDED
                                        || p.status() == MigrationStatus.PARTIAL));
        return partly ? JobState.PARTIALLY_FAILED : JobState.FAILED;
    }

    /** Every list of up to {@code size} statuses, the empty one included. */
    private static List<List<MigrationStatus>> combinations(int size) {
        List<List<MigrationStatus>> all = new ArrayList<>();
        all.add(List.of());
        List<List<MigrationStatus>> last = List.of(List.of());
        for (int length = 1; length <= size; length++) {
            List<List<MigrationStatus>> next = new ArrayList<>();
            for (List<MigrationStatus> prefix : last) {
                for (MigrationStatus status : STATUSES) {
                    List<MigrationStatus> longer = new ArrayList<>(prefix);
                    longer.add(status);
                    next.add(longer);
                }
            }
            all.addAll(next);
            last = next;
        }
        return all;
    }

    private static List<ProcessRecord> processes(List<MigrationStatus> statuses) {
        List<ProcessRecord> processes = new ArrayList<>();
        for (int i = 0; i < statuses.size(); i++) {
            processes.add(process(100 + i, statuses.get(i), 10, moved(statuses.get(i)), Map.of()));
        }
        return processes;
    }

    private static long moved(MigrationStatus status) {
        return switch (status) {
            case SUCCEEDED -> 10;
            case PARTIAL -> 7;
            case FAILED, CANCELLED -> 2;
        };
    }

    private static MigrationJob job(String... hosts) {
        JobRequest request = new JobRequest(
                null,
                Map.of(),
                List.of(new JobRequest.Target(List.of(hosts), List.of(100, 101, 102), null)),
                null,
                List.of(0),
                List.of(1),
                null,
                MigrationOptions.DEFAULTS);
        MigrationJob.Submitted submitted = MigrationJob.submit(UUID.randomUUID(), request, "operator", NOW, null, null);
        TASKS.put(submitted.job(), submitted.tasks());
        return submitted.job();
    }

    /** The tasks of the jobs made here: the job does not hold them. */
    private static final Map<MigrationJob, List<HostTask>> TASKS = Collections.synchronizedMap(new IdentityHashMap<>());

    static List<HostTask> tasks(MigrationJob job) {
        return TASKS.get(job);
    }

    static List<HostTask> open(MigrationJob job) {
        return tasks(job).stream().filter(t -> !t.state().isTerminal()).toList();
    }

    private static HostTask leased(MigrationJob job, String host) {
        HostTask task = tasks(job).stream()
                .filter(t -> t.host().equals(host))
                .findFirst()
                .orElseThrow();
        job.leased(task, NOW, NOW.plusSeconds(30));
        return task;
    }

    static ProcessRecord process(int pid, MigrationStatus status, long scanned, long moved, Map<Errno, Long> failed) {
        Errno errno = status == MigrationStatus.FAILED
                ? failed.keySet().stream().findFirst().orElse(Errno.ENODEV)
                : null;
        NodePairPages[] moves =
                moved == 0 ? new NodePairPages[0] : new NodePairPages[] {new NodePairPages(0, 1, moved)};
        return ProcessResults.of(pid)
                .status(status, errno)
                .moved(scanned, moved, moves)
                .failed(failed)
                .placement(Map.of(0, scanned), Map.of(0, scanned - moved, 1, moved))
                .record();
    }
}
