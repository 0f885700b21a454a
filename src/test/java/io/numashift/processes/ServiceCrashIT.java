package io.numashift.processes;

import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.ProcessCluster.Service;
import io.numashift.service.Databases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The service killed with SIGKILL in the middle of a job and started again on the same database,
 * with agent processes that keep running through it: every job submitted before and after is
 * there and completes, and the task that was running when the service died ran once, on the
 * lease it had (its agent kept heartbeating with backoff until the service was back).
 */
class ServiceCrashIT {
    private static final Pattern RUNNING = Pattern.compile("running task (\\S+) \\(attempt (\\d+)\\)");

    @TempDir
    Path dir;

    @Test
    void aServiceKilledMidJobOnH2LosesNothingWhenRestarted() {
        crashMidJob("crash-h2");
    }

    @Test
    @Databases.RequiresPostgres
    void aServiceKilledMidJobOnPostgresLosesNothingWhenRestarted() {
        try (Databases.Schema schema = Databases.schema()) {
            crashMidJob("crash-pg", schema.properties());
        }
    }

    private void crashMidJob(String name, String... database) {
        try (ProcessCluster cluster = new ProcessCluster(dir, "/scenarios/processes.yaml", List.of("slow-a", "fast"))) {
            List<String> properties = new ArrayList<>(List.of(
                    // Longer than a restart takes: the running task keeps its lease through it.
                    "numashift.dispatch.lease-duration=60s", "numashift.dispatch.heartbeat-interval=500ms"));
            properties.addAll(List.of(database));
            Service service = cluster.service(name, properties.toArray(String[]::new));
            ProtocolClient client = service.client();
            JarProcess slow = cluster.agent(name + "-agent-slow", "slow-a", List.of(service));
            cluster.agent(name + "-agent-fast", "fast", List.of(service));
            service.awaitOnline("slow-a", "fast");

            String slowJob = client.submit(OPERATOR, "slow-a", 10);
            List<String> jobs = new ArrayList<>(List.of(slowJob));
            for (int i = 0; i < 20; i++) {
                jobs.add(client.submit(OPERATOR, "fast", 20));
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> client.job(slowJob, OPERATOR)
                                    .get("progress")
                                    .get("pagesMoved")
                                    .asLong()
                            > 0);

            service.crashAndRestart();
            for (int i = 0; i < 10; i++) {
                jobs.add(client.submit(OPERATOR, "fast", 20));
            }

            for (String job : jobs) {
                JsonNode done = await("job " + job)
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> client.job(job, OPERATOR),
                                j -> j.get("state").asString().equals("SUCCEEDED"));
                assertThat(done.get("tasks")).hasSize(1);
            }
            JsonNode slowTask = client.job(slowJob, OPERATOR).get("tasks").get(0);
            assertThat(slowTask.get("attempts").asInt())
                    .as("the lease outlived the restart")
                    .isEqualTo(1);
            assertThat(slowTask.get("processes")
                            .get(0)
                            .get("placementAfter")
                            .get("1")
                            .asLong())
                    .isEqualTo(262_144);
            assertThat(attempts(slow.output()))
                    .as("the slow agent ran its task once")
                    .hasSize(1);
            assertThat(client.get("/api/v1/jobs?limit=500", OPERATOR).body().get("items"))
                    .as("every job submitted, before the crash and after")
                    .hasSize(jobs.size());
        }
    }

    /** The tasks an agent started, as "task attempt" in the order of its log. */
    private static List<String> attempts(String log) {
        List<String> started = new ArrayList<>();
        Matcher m = RUNNING.matcher(log);
        while (m.find()) {
            started.add(m.group(1) + " " + m.group(2));
        }
        return started;
    }
}
