package io.numashift.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationStatus;
import io.numashift.core.backend.Errno;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * A job's counters are the sums of its tasks' tallies after any sequence of task changes, so a
 * change of one task never needs the others: random sequences of leases, heartbeats, results,
 * lost agents, leases ended and a cancel over eight hosts, checked after every step.
 */
class JobCountersTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final List<String> HOSTS = List.of("h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7");

    @RepeatedTest(200)
    void theCountersAreTheSumsOfTheTasksAfterEveryChange() {
        Random random = new Random();
        MigrationJob.Submitted submitted = submit();
        MigrationJob job = submitted.job();
        List<HostTask> tasks = submitted.tasks();
        assertSums(job, tasks);
        long version = job.version();
        for (int step = 0; step < 60 && !job.state().isTerminal(); step++) {
            HostTask task = tasks.get(random.nextInt(tasks.size()));
            switch (task.state()) {
                case PENDING -> {
                    if (random.nextInt(10) == 0 && job.state() != JobState.CANCELLING) {
                        job.cancel(
                                tasks.stream()
                                        .filter(t -> !t.state().isTerminal())
                                        .toList(),
                                NOW);
                    } else {
                        job.leased(task, NOW, NOW.plusSeconds(30));
                    }
                }
                case RUNNING -> {
                    switch (random.nextInt(4)) {
                        case 0 ->
                            job.heartbeat(
                                    task, NOW, NOW.plusSeconds(30), 3, random.nextInt(4), 30, random.nextInt(31), 1, 2);
                        case 1 -> job.reported(task, results(random), null, null, NOW);
                        case 2 -> job.taskFailed(task, "AGENT_LOST", "gone", NOW);
                        default -> job.leaseEnded(task, NOW);
                    }
                }
                default -> {
                    continue;
                }
            }
            assertThat(job.version()).isGreaterThan(version);
            version = job.version();
            assertSums(job, tasks);
        }
    }

    @Test
    void aTaskOfAnotherJobIsRefused() {
        MigrationJob.Submitted one = submit();
        MigrationJob.Submitted other = submit();

        assertThatThrownBy(() -> one.job().leased(other.tasks().getFirst(), NOW, NOW.plusSeconds(30)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(other.tasks().getFirst().state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void aCancelEndsThePendingTasksAndTheJobOnceNoneIsRunning() {
        MigrationJob.Submitted submitted = submit();
        MigrationJob job = submitted.job();
        HostTask running = submitted.tasks().getFirst();
        job.leased(running, NOW, NOW.plusSeconds(30));

        job.cancel(
                submitted.tasks().stream().filter(t -> !t.state().isTerminal()).toList(), NOW);

        assertThat(job.state()).isEqualTo(JobState.CANCELLING);
        assertThat(job.tasksEnded()).isEqualTo(HOSTS.size() - 1);
        assertThat(running.cancelRequested()).isTrue();
        job.reported(
                running,
                List.of(JobStatesTest.process(100, MigrationStatus.CANCELLED, 10, 3, Map.of())),
                null,
                null,
                NOW);
        assertThat(running.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.finishedAt()).isEqualTo(NOW);
        assertThatThrownBy(() -> job.cancel(List.of(), NOW)).isInstanceOf(InvalidJobStateException.class);
    }

    private static List<ProcessRecord> results(Random random) {
        List<ProcessRecord> results = new ArrayList<>();
        for (int pid = 100; pid < 103; pid++) {
            MigrationStatus status = MigrationStatus.values()[random.nextInt(MigrationStatus.values().length)];
            long moved = status == MigrationStatus.SUCCEEDED ? 10 : random.nextInt(10);
            Map<Errno, Long> failed = status == MigrationStatus.SUCCEEDED ? Map.of() : Map.of(Errno.EBUSY, 10 - moved);
            results.add(JobStatesTest.process(pid, status, 10, moved, failed));
        }
        return results;
    }

    private static void assertSums(MigrationJob job, List<HostTask> tasks) {
        List<TaskTally> tallies = tasks.stream().map(HostTask::tally).toList();
        assertThat(job.tasksTotal()).isEqualTo(tasks.size());
        assertThat(job.tasksEnded())
                .isEqualTo(tallies.stream().mapToInt(TaskTally::ended).sum());
        assertThat(job.processesTotal())
                .isEqualTo(tallies.stream().mapToInt(TaskTally::processesTotal).sum());
        assertThat(job.processesDone())
                .isEqualTo(tallies.stream().mapToInt(TaskTally::processesDone).sum());
        assertThat(job.pagesToMove())
                .isEqualTo(tallies.stream().mapToLong(TaskTally::pagesToMove).sum());
        assertThat(job.pagesMoved())
                .isEqualTo(tallies.stream().mapToLong(TaskTally::pagesMoved).sum());
        assertThat(job.pagesSkipped())
                .isEqualTo(tallies.stream().mapToLong(TaskTally::pagesSkipped).sum());
        assertThat(job.pagesFailed())
                .isEqualTo(tallies.stream().mapToLong(TaskTally::pagesFailed).sum());
        boolean allEnded = tasks.stream().allMatch(t -> t.state().isTerminal());
        assertThat(job.state().isTerminal()).isEqualTo(allEnded);
    }

    private static MigrationJob.Submitted submit() {
        JobRequest request = new JobRequest(
                null,
                Map.of(),
                List.of(new JobRequest.Target(HOSTS, List.of(100, 101, 102), null)),
                null,
                List.of(0),
                List.of(1),
                null,
                MigrationOptions.DEFAULTS);
        return MigrationJob.submit(UUID.randomUUID(), request, "operator", NOW, null, null);
    }
}
