package io.numashift.processes;

import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.ProcessCluster.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Agents as processes of their own, started, stopped with SIGTERM and killed with SIGKILL while
 * they move pages, against one service process. Leases last 3 s and a host is given up 8 s after
 * it was last seen, so that the deadlines of a lost agent pass within the test. Each test has a
 * host of its own (the scenario's slow-a … slow-d, fast and fast-b).
 */
class AgentProcessIT {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(8);
    private static final long SLOW_PAGES = 262_144;
    private static final long SLOW_B_PAGES = 65_536;

    @TempDir
    static Path dir;

    static ProcessCluster cluster;
    static Service service;
    static ProtocolClient client;

    @BeforeAll
    static void startService() {
        cluster = new ProcessCluster(
                dir, "/scenarios/processes.yaml", List.of("slow-a", "slow-b", "slow-c", "slow-d", "fast", "fast-b"));
        service = cluster.service(
                "agents-service",
                "numashift.dispatch.lease-duration=" + LEASE.toSeconds() + "s",
                "numashift.dispatch.heartbeat-interval=500ms",
                "numashift.hosts.unknown-after=3s",
                "numashift.hosts.offline-after=" + OFFLINE_AFTER.toSeconds() + "s");
        client = service.client();
    }

    @AfterAll
    static void stopAll() {
        cluster.close();
    }

    @Test
    void anAgentProcessRegistersRunsItsHostsTaskAndStopsOnSigterm() {
        JarProcess agent = agent("agent-fast", "fast");
        assertThat(host("fast").get("backend").asString()).isEqualTo("simulated");

        String job = client.submit(OPERATOR, "fast", 20);
        JsonNode done = awaitJob(job, state -> state.equals("SUCCEEDED"), Duration.ofSeconds(30));

        JsonNode process = done.get("tasks").get(0).get("processes").get(0);
        assertThat(process.get("pagesMoved").asLong()).isEqualTo(1000);
        assertThat(process.get("placementAfter").properties()).hasSize(1);
        assertThat(process.get("placementAfter").get("1").asLong()).isEqualTo(1000);

        agent.terminate();
        agent.awaitExit(Duration.ofSeconds(15));
        assertThat(agent.output()).contains("agent for host fast stopped");
    }

    @Test
    void sigtermLetsARunningTaskFinishWithinTheGracePeriod() {
        JarProcess agent = agent("agent-slow-a", "slow-a", "numashift.agent.shutdown-grace=60s");
        String job = client.submit(OPERATOR, "slow-a", 10);
        awaitMoving(job);

        agent.terminate();
        agent.awaitExit(Duration.ofSeconds(60));

        JsonNode done = client.job(job, OPERATOR);
        assertThat(done.get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode task = done.get("tasks").get(0);
        assertThat(task.get("attempts").asInt()).isEqualTo(1);
        assertThat(task.get("processes").get(0).get("placementAfter").get("1").asLong())
                .isEqualTo(SLOW_PAGES);
        assertThat(agent.output()).contains("reported task").doesNotContain("gave task");
    }

    /**
     * slow-b moves 5,000 pages/s: a batch of a whole 64 Ki-page block would take 13 s, far past
     * the grace of 1 s. Batches bounded in time stop the migration within about a quarter of a
     * second of the cancel, so the task goes back with part of its pages moved.
     */
    @Test
    void sigtermPastTheGracePeriodGivesTheTaskBackMidProcessAndItRunsAgainAtOnce() {
        JarProcess first = agent("agent-slow-b-1", "slow-b", "numashift.agent.shutdown-grace=1s");
        String job = client.submit(OPERATOR, "slow-b", 10);
        awaitMoving(job);

        first.terminate();
        first.awaitExit(Duration.ofSeconds(20));
        JsonNode given = client.job(job, OPERATOR);
        JsonNode givenTask = given.get("tasks").get(0);

        Matcher gaveBack = Pattern.compile("gave task \\S+ back unfinished after moving (\\d+) pages")
                .matcher(first.output());
        assertThat(gaveBack.find()).as(first.output()).isTrue();
        assertThat(Long.parseLong(gaveBack.group(1)))
                .as("the first attempt moved part of the process")
                .isBetween(1L, SLOW_B_PAGES - 1);
        assertThat(given.get("progress").get("pagesMoved").asLong())
                .as("its last heartbeat")
                .isBetween(1L, SLOW_B_PAGES - 1);
        assertThat(givenTask.get("state").asString())
                .as("back in the queue at once, not after its lease")
                .isEqualTo("PENDING");
        assertThat(givenTask.get("attempts").asInt()).isEqualTo(1);

        agent("agent-slow-b-2", "slow-b");
        JsonNode done = awaitJob(job, state -> state.equals("SUCCEEDED"), Duration.ofSeconds(60));
        JsonNode task = done.get("tasks").get(0);
        assertThat(task.get("attempts").asInt()).isEqualTo(2);
        assertThat(task.get("processes").get(0).get("placementAfter").get("1").asLong())
                .isEqualTo(SLOW_B_PAGES);
    }

    @Test
    void anAgentKilledMidTaskLosesItsLeaseAndTheTaskRunsAgainWhenAnAgentIsBack() {
        JarProcess first = agent("agent-slow-c-1", "slow-c");
        String job = client.submit(OPERATOR, "slow-c", 10);
        awaitMoving(job);

        first.kill();
        await("the lease expires and the task is offered again")
                .atMost(LEASE.plusSeconds(10))
                .until(() -> client.job(job, OPERATOR)
                        .get("tasks")
                        .get(0)
                        .get("state")
                        .asString()
                        .equals("PENDING"));
        agent("agent-slow-c-2", "slow-c");

        JsonNode done = awaitJob(job, state -> state.equals("SUCCEEDED"), Duration.ofSeconds(60));
        JsonNode task = done.get("tasks").get(0);
        assertThat(task.get("attempts").asInt()).isEqualTo(2);
        JsonNode process = task.get("processes").get(0);
        assertThat(process.get("placementAfter").get("1").asLong()).isEqualTo(SLOW_PAGES);
        assertThat(process.get("pagesLeftOnOldNodes").asLong()).isZero();
    }

    @Test
    void anAgentThatNeverReturnsFailsItsTaskWithinTheDeadlineAndTheJobEndsPartiallyFailed() {
        JarProcess lost = agent("agent-slow-d", "slow-d");
        agent("agent-fast-b", "fast-b");
        String job = submit("""
                {"name": "one host lost", "targets": [{"hosts": ["slow-d"], "pids": [10]},
                                                       {"hosts": ["fast-b"], "pids": [20]}],
                 "oldNodes": [0], "newNodes": [1]}""");
        awaitMoving(job, 1000);

        lost.kill();
        long killedAt = System.nanoTime();
        JsonNode done = awaitJob(job, state -> !state.equals("RUNNING"), Duration.ofSeconds(60));
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);

        assertThat(done.get("state").asString()).isEqualTo("PARTIALLY_FAILED");
        assertThat(took)
                .as("lease, then the host's offline deadline, then a reap")
                .isLessThan(LEASE.plus(OFFLINE_AFTER).plusSeconds(10));
        JsonNode slow = task(done, "slow-d");
        JsonNode fast = task(done, "fast-b");
        assertThat(fast.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(slow.get("state").asString()).isEqualTo("FAILED");
        assertThat(slow.get("error").get("code").asString()).isIn("AGENT_LOST", "HOST_UNAVAILABLE");
        assertThat(done.get("failures").toString())
                .contains("slow-d")
                .contains(slow.get("error").get("code").asString());
    }

    /** Starts an agent process for the host and waits until the host is registered and ONLINE. */
    private JarProcess agent(String name, String host, String... properties) {
        JarProcess agent = cluster.agent(name, host, List.of(service), properties);
        service.awaitOnline(host);
        return agent;
    }

    private JsonNode host(String name) {
        return client.host(name, OPERATOR);
    }

    private String submit(String body) {
        ProtocolClient.Response submitted = client.post("/api/v1/jobs", OPERATOR, body);
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
        return submitted.body().get("id").asString();
    }

    /** Waits until the job's agents have moved some of its pages. */
    private void awaitMoving(String job) {
        awaitMoving(job, 0);
    }

    /** Waits until the job's agents have moved more than {@code pages} pages. */
    private void awaitMoving(String job, long pages) {
        await("pages moving")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> client.job(job, OPERATOR)
                                .get("progress")
                                .get("pagesMoved")
                                .asLong()
                        > pages);
    }

    private JsonNode awaitJob(String job, Predicate<String> state, Duration timeout) {
        return await("job " + job)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> client.job(job, OPERATOR),
                        node -> state.test(node.get("state").asString()));
    }

    private static JsonNode task(JsonNode job, String host) {
        for (JsonNode task : job.get("tasks")) {
            if (task.get("host").asString().equals(host)) {
                return task;
            }
        }
        throw new AssertionError("no task for " + host + " in " + job);
    }
}
