package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.agent.Agent;
import io.numashift.agent.AgentClient;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.Topology;
import io.numashift.dispatch.ProtocolClient.Response;
import io.numashift.jobs.MigrationJobs;
import io.numashift.security.Tokens;
import io.numashift.sim.SimulatedCluster;
import io.numashift.sim.SimulatedHost;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The agent protocol over HTTP, each agent call made by the test: who gets a lease when agents
 * race, that results count once, that a token serves only its hosts, cancels reach a running task,
 * and that a waiting agent is woken by the submit itself. No embedded agents run, and the reaper
 * runs once at start only, so nothing but a submit can wake a waiting lease request. Every test
 * uses hosts of its own, so that tests sharing the context do not see each other's tasks.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"numashift.sim.embedded-agents=false", "numashift.dispatch.reap-interval=1h"})
class AgentProtocolTest {
    static final String OPERATOR = "operator-secret";
    static final String AGENT_H1 = "agent-h1-secret";
    static final String AGENT_H2 = "agent-h2-secret";
    /** An agent token for the hosts of the tests that need no second token. */
    static final String FLEET = "fleet-secret";

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        token(registry, 0, "ops", OPERATOR, "OPERATOR", "");
        token(registry, 1, "agent-h1", AGENT_H1, "AGENT", "h1");
        token(registry, 2, "agent-h2", AGENT_H2, "AGENT", "h2");
        token(
                registry,
                3,
                "fleet",
                FLEET,
                "AGENT",
                "race,busy,once,cancel,wake,locked,release,broken,retry,refused,capped");
    }

    static void token(DynamicPropertyRegistry registry, int i, String name, String secret, String role, String hosts) {
        String prefix = "numashift.security.tokens[" + i + "].";
        registry.add(prefix + "name", () -> name);
        registry.add(prefix + "sha256", () -> Tokens.sha256Hex(secret));
        registry.add(prefix + "roles", () -> role);
        registry.add(prefix + "hosts", () -> hosts);
    }

    @LocalServerPort
    int port;

    @Autowired
    MigrationJobs jobs;

    @Autowired
    TransactionTemplate transactions;

    ProtocolClient client;
    ExecutorService threads;

    @BeforeEach
    void client() {
        client = new ProtocolClient(port);
        threads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void agentsRacingForOneTaskGetOneLeaseBetweenThem() throws Exception {
        register("race", FLEET);
        String job = client.submit(OPERATOR, "race", 1);

        List<Response> answers = race(16, () -> client.lease("race", FLEET, "0ms"));

        assertThat(answers).extracting(Response::status).containsOnly(200, 204);
        assertThat(answers).filteredOn(r -> r.status() == 200).hasSize(1);
        Response lease =
                answers.stream().filter(r -> r.status() == 200).findFirst().orElseThrow();
        assertThat(lease.body().get("jobId").asString()).isEqualTo(job);
        assertThat(lease.body().get("epoch").asLong()).isEqualTo(1);
        JsonNode task = client.job(job, OPERATOR).get("tasks").get(0);
        assertThat(task.get("state").asString()).isEqualTo("RUNNING");
        assertThat(task.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aHostRunsOneTaskAtATimeEvenWhenItsAgentsRaceForTwoJobs() throws Exception {
        register("busy", FLEET);
        String first = client.submit(OPERATOR, "busy", 1);
        String second = client.submit(OPERATOR, "busy", 2);

        List<Response> answers = race(16, () -> client.lease("busy", FLEET, "0ms"));

        assertThat(answers).extracting(Response::status).containsOnly(200, 204);
        assertThat(answers).filteredOn(r -> r.status() == 200).hasSize(1);
        assertThat(List.of(
                        client.job(first, OPERATOR).get("state").asString(),
                        client.job(second, OPERATOR).get("state").asString()))
                .containsExactlyInAnyOrder("RUNNING", "QUEUED");
        assertThat(client.host("busy", OPERATOR).get("runningTask").isObject()).isTrue();
    }

    @Test
    void aResultIsAcceptedOnceAndItsRepeatChangesNothing() {
        register("once", FLEET);
        String job = client.submit(OPERATOR, "once", 1);
        JsonNode lease = leased("once", FLEET);
        String taskId = lease.get("taskId").asString();
        long epoch = lease.get("epoch").asLong();

        Response first = client.result(taskId, epoch, FLEET, ProtocolClient.succeeded(1));
        JsonNode done = client.job(job, OPERATOR);
        Response repeat = client.result(taskId, epoch, FLEET, ProtocolClient.succeeded(1));
        Response different = client.result(taskId, epoch, FLEET, ProtocolClient.cancelled(1));

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("accepted").asBoolean()).isTrue();
        assertThat(done.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("progress").get("pagesMoved").asLong()).isEqualTo(10);
        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.body().get("accepted").asBoolean()).isFalse();
        assertThat(different.status()).isEqualTo(409);
        assertThat(different.code()).as("a task has one result").isEqualTo("STALE_EPOCH");
        assertThat(different.body().get("detail").asString()).contains("has ended (SUCCEEDED)");
        JsonNode after = client.job(job, OPERATOR);
        assertThat(after.get("version").asLong()).isEqualTo(done.get("version").asLong());
        assertThat(after.get("tasks")).isEqualTo(done.get("tasks"));
    }

    @Test
    void aTaskGivenBackIsOfferedAgainAtOnceAndTheOldLeaseCanNoLongerReport() {
        register("release", FLEET);
        String job = client.submit(OPERATOR, "release", 1);
        JsonNode first = leased("release", FLEET);
        String taskId = first.get("taskId").asString();
        long epoch = first.get("epoch").asLong();

        Response released = client.release(taskId, epoch, FLEET);
        JsonNode pending = client.job(job, OPERATOR).get("tasks").get(0);
        Response second = client.lease("release", FLEET, "0ms");
        Response staleResult = client.result(taskId, epoch, FLEET, ProtocolClient.succeeded(1));
        Response staleRelease = client.release(taskId, epoch, FLEET);

        assertThat(released.status()).as("%s", released.body()).isEqualTo(200);
        assertThat(pending.get("state").asString()).isEqualTo("PENDING");
        assertThat(second.status())
                .as("offered again at once, not after the lease")
                .isEqualTo(200);
        assertThat(second.body().get("taskId").asString()).isEqualTo(taskId);
        assertThat(second.body().get("epoch").asLong()).isEqualTo(epoch + 1);
        assertThat(staleResult.status()).isEqualTo(409);
        assertThat(staleResult.code()).isEqualTo("STALE_EPOCH");
        assertThat(staleRelease.status()).isEqualTo(409);
        JsonNode task = client.job(job, OPERATOR).get("tasks").get(0);
        assertThat(task.get("state").asString()).isEqualTo("RUNNING");
        assertThat(task.get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void anAgentTokenServesOnlyTheHostsItNames() {
        assertThat(client.register("h1", AGENT_H1).status()).isEqualTo(200);
        assertThat(client.register("h2", AGENT_H2).status()).isEqualTo(200);
        String job = client.submit(OPERATOR, "h2", 1);
        JsonNode lease = leased("h2", AGENT_H2);
        String taskId = lease.get("taskId").asString();
        long epoch = lease.get("epoch").asLong();
        long version = client.job(job, OPERATOR).get("version").asLong();

        List<Response> refused = List.of(
                client.register("h2", AGENT_H1),
                client.lease("h2", AGENT_H1, "0ms"),
                client.heartbeat(taskId, epoch, AGENT_H1),
                client.result(taskId, epoch, AGENT_H1, ProtocolClient.succeeded(1)));

        assertThat(refused).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.code()).isEqualTo("EPERM");
        });
        JsonNode after = client.job(job, OPERATOR);
        assertThat(after.get("version").asLong()).isEqualTo(version);
        assertThat(after.get("tasks").get(0).get("state").asString()).isEqualTo("RUNNING");
        assertThat(client.result(taskId, epoch, AGENT_H2, ProtocolClient.succeeded(1))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aCancelReachesTheRunningTaskThroughItsHeartbeatAndEndsWithItsResult() {
        register("cancel", FLEET);
        String job = client.submit(OPERATOR, "cancel", 1, 2);
        JsonNode lease = leased("cancel", FLEET);
        String taskId = lease.get("taskId").asString();
        long epoch = lease.get("epoch").asLong();
        Response beforeCancel = client.heartbeat(taskId, epoch, FLEET);

        Response cancel = client.cancel(job, OPERATOR);
        JsonNode cancelling = client.job(job, OPERATOR);
        Response afterCancel = client.heartbeat(taskId, epoch, FLEET);
        Response result = client.result(taskId, epoch, FLEET, ProtocolClient.succeeded(1), ProtocolClient.cancelled(2));

        assertThat(beforeCancel.body().get("cancelRequested").asBoolean()).isFalse();
        assertThat(cancel.status()).isEqualTo(202);
        assertThat(cancelling.get("state").asString()).isEqualTo("CANCELLING");
        assertThat(cancelling.get("tasks").get(0).get("state").asString()).isEqualTo("RUNNING");
        assertThat(afterCancel.status()).isEqualTo(200);
        assertThat(afterCancel.body().get("cancelRequested").asBoolean())
                .as("the heartbeat's answer says a cancel was requested")
                .isTrue();
        assertThat(result.status()).isEqualTo(200);
        JsonNode cancelled = client.job(job, OPERATOR);
        assertThat(cancelled.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("finishedAt").isNull()).isFalse();
        assertThat(cancelled.get("tasks").get(0).get("state").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("progress").get("pagesMoved").asLong()).isEqualTo(10);
        assertThat(cancelled.get("failures")).hasSize(1);
        assertThat(cancelled.get("failures").get(0).get("pid").asInt()).isEqualTo(2);
        assertThat(cancelled.get("failures").get(0).get("code").asString()).isEqualTo("CANCELLED");
    }

    @Test
    void aWaitingLeaseRequestIsAnsweredAsSoonAsWorkForItsHostIsSubmitted() throws Exception {
        register("wake", FLEET);
        Instant registered = lastSeen("wake");
        Future<Response> waiting = threads.submit(() -> client.lease("wake", FLEET, "30s"));
        // The lease request has looked for work, found none and is waiting.
        await().atMost(Duration.ofSeconds(10)).until(() -> lastSeen("wake").isAfter(registered));

        long submitted = System.nanoTime();
        String job = client.submit(OPERATOR, "wake", 1);

        assertThat(waiting)
                .as("a lease request waiting up to 30 s, woken by the submit")
                .succeedsWithin(Duration.ofSeconds(25));
        long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - submitted);
        Response lease = waiting.resultNow();
        assertThat(lease.status())
                .as("lease answered %d ms after the submit, with a wait of 30 s", answeredMillis)
                .isEqualTo(200);
        assertThat(lease.body().get("jobId").asString()).isEqualTo(job);
    }

    @Test
    void aHeartbeatWaitsWhileAnotherTransactionHoldsTheJobLock() throws Exception {
        register("locked", FLEET);
        String job = client.submit(OPERATOR, "locked", 1);
        JsonNode lease = leased("locked", FLEET);
        long version = client.job(job, OPERATOR).get("version").asLong();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> transactions.executeWithoutResult(tx -> {
            assertThat(jobs.lockById(UUID.fromString(job))).isPresent();
            locked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

        Future<Response> heartbeat = threads.submit(() -> client.heartbeat(
                lease.get("taskId").asString(), lease.get("epoch").asLong(), FLEET));
        await("the heartbeat waits for the job's lock")
                .during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(2))
                .until(() -> !heartbeat.isDone());
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);

        assertThat(heartbeat.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(client.job(job, OPERATOR).get("version").asLong())
                .as("the heartbeat changed the job once the lock was released")
                .isEqualTo(version + 1);
    }

    private void register(String host, String token) {
        Response registered = client.register(host, token);
        assertThat(registered.status()).as("%s", registered.body()).isEqualTo(200);
    }

    /** Leases the host's next task, which must be there. */
    private JsonNode leased(String host, String token) {
        Response lease = client.lease(host, token, "0ms");
        assertThat(lease.status()).as("%s", lease.body()).isEqualTo(200);
        return lease.body();
    }

    private Instant lastSeen(String host) {
        return Instant.parse(client.host(host, OPERATOR).get("lastSeenAt").asString());
    }

    /** Makes {@code n} calls at once, released together, and answers each one's response. */
    private List<Response> race(int n, java.util.concurrent.Callable<Response> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(threads.submit(() -> {
                start.await();
                return call.call();
            }));
        }
        start.countDown();
        List<Response> answers = new ArrayList<>();
        for (Future<Response> f : calls) {
            answers.add(f.get(60, TimeUnit.SECONDS));
        }
        return answers;
    }
    /**
     * An engine that throws (a defect, or a kernel that surprised it) fails the task with {@code
     * AGENT_ERROR} and its message at once: the agent does not take it for the service being away
     * and leave the task to be leased again until it runs out of attempts.
     */
    @Test
    void anErrorInTheAgentFailsTheTaskOnceWithItsMessage() throws Exception {
        NumaBackend failing = simulatedH1Except((simulated, method) -> {
            if (method.getName().equals("movePass")) {
                throw new IllegalStateException("a page moved behind the engine's back");
            }
            return PASS_THROUGH;
        });

        JsonNode done = oneJobOnAgent("broken", failing);

        JsonNode task = done.get("tasks").get(0);
        assertThat(done.get("state").asString()).isEqualTo("FAILED");
        assertThat(task.get("attempts").asInt()).isEqualTo(1);
        assertThat(task.get("error").get("code").asString()).isEqualTo("AGENT_ERROR");
        assertThat(task.get("error").get("message").asString())
                .contains("process 100", "a page moved behind the engine's back");
        assertThat(done.get("failures").toString()).contains("AGENT_ERROR");
    }

    /**
     * A result the service refuses (here: placements on a node that the host did not register) is
     * not sent again and again: the agent reports the task failed with {@code AGENT_ERROR} and the
     * service's reason, which the job shows.
     */
    @Test
    void aResultTheServiceRefusesFailsTheTaskWithTheServicesReason() throws Exception {
        AtomicBoolean registered = new AtomicBoolean();
        NumaBackend forgetful = simulatedH1Except((simulated, method) -> {
            if (method.getName().equals("topology") && registered.compareAndSet(false, true)) {
                // What the agent registers: node 0 only; the migration then sees node 1 too.
                Topology full = simulated.topology();
                return new Topology(full.pageSize(), full.nodes().subList(0, 1), new int[][] {{10}});
            }
            return PASS_THROUGH;
        });

        JsonNode done = oneJobOnAgent("refused", forgetful);

        JsonNode task = done.get("tasks").get(0);
        assertThat(done.get("state").asString()).isEqualTo("FAILED");
        assertThat(task.get("attempts").asInt()).isEqualTo(1);
        assertThat(task.get("error").get("code").asString()).isEqualTo("AGENT_ERROR");
        assertThat(task.get("error").get("message").asString())
                .contains("refused the agent's result", "placementAfter", "node 1 is not a node of the host");
    }

    private static final Object PASS_THROUGH = new Object();

    /** What a backend does instead of host h1 of the e2e scenario, or {@link #PASS_THROUGH}. */
    private interface Override {
        Object answer(SimulatedHost simulated, Method method) throws Exception;
    }

    /**
     * Host h1 of the e2e scenario, except where {@code override} answers otherwise. The backend is
     * a stand-in only to break it on purpose; the agent, its client and the service are real.
     */
    private static NumaBackend simulatedH1Except(Override override) throws Exception {
        SimulatedHost simulated = SimulatedCluster.load(Path.of("src/test/resources/scenarios/e2e.yaml"))
                .host("h1")
                .orElseThrow();
        return (NumaBackend) Proxy.newProxyInstance(
                NumaBackend.class.getClassLoader(), new Class<?>[] {NumaBackend.class}, (proxy, method, args) -> {
                    Object answer = override.answer(simulated, method);
                    if (answer != PASS_THROUGH) {
                        return answer;
                    }
                    try {
                        return method.invoke(simulated, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * A host's own cap ({@code numashift.agent.max-mib-per-second}) holds a job that sets none, and
     * the job's request still shows none: the cap is the host's, not the job's.
     */
    @Test
    void aHostsOwnRateCapHoldsAJobThatSetsNone() throws Exception {
        long start = System.nanoTime();
        JsonNode done = oneJobOnAgent("capped", simulatedH1Except((simulated, method) -> PASS_THROUGH), 4);
        double seconds = (System.nanoTime() - start) / 1e9;

        JsonNode process = done.get("tasks").get(0).get("processes").get(0);
        assertThat(done.get("state").asString()).as("%s", done).isEqualTo("SUCCEEDED");
        assertThat(done.get("request").get("options").get("maxMiBPerSecond").isNull())
                .isTrue();
        assertThat(process.get("pagesMoved").asLong()).isEqualTo(2000);
        // 2,000 pages are 7.8 MiB: about 2 s at 4 MiB/s, where the simulated host alone takes milliseconds.
        assertThat(process.get("mibPerSecond").asDouble()).isBetween(3.6, 4.4);
        assertThat(seconds).isGreaterThan(2000 * 4096.0 / (1 << 20) / 4.4);
    }

    /** Runs an agent for {@code host} on {@code backend}, submits one job of pid 100 to it and returns the ended job. */
    private JsonNode oneJobOnAgent(String host, NumaBackend backend) throws InterruptedException {
        return oneJobOnAgent(host, backend, null);
    }

    private JsonNode oneJobOnAgent(String host, NumaBackend backend, @Nullable Integer hostCap)
            throws InterruptedException {
        Agent agent = new Agent(
                host,
                "simulated",
                backend,
                new AgentClient(URI.create("http://127.0.0.1:" + port), FLEET),
                Duration.ofSeconds(1),
                hostCap);
        Thread.ofVirtual().start(agent);
        try {
            await(host + " registered")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> client.get("/api/v1/hosts/" + host, OPERATOR).status() == 200);
            String job = client.submit(OPERATOR, host, 100);
            return client.awaitEnd(job, OPERATOR, Duration.ofSeconds(20));
        } finally {
            agent.shutdown(Duration.ZERO);
        }
    }

    @Test
    void aRetryTakesWhatATaskWithAnErrorNeverReportedAsWellAsWhatFailed() {
        register("retry", FLEET);
        String job = client.submit(OPERATOR, "retry", 1, 2, 3);
        JsonNode lease = leased("retry", FLEET);

        // Process 1 succeeded, then the agent failed: 2 and 3 were never reported.
        Response reported =
                client.post("/api/v1/tasks/" + lease.get("taskId").asString() + "/result", FLEET, """
                {"epoch": %d, "error": "AGENT_ERROR", "message": "the agent failed migrating process 2",
                 "processes": [%s]}""".formatted(
                                lease.get("epoch").asLong(), ProtocolClient.succeeded(1)));
        assertThat(reported.status()).as("%s", reported.body()).isEqualTo(200);
        assertThat(client.job(job, OPERATOR).get("state").asString()).isEqualTo("PARTIALLY_FAILED");

        Response retry = client.post("/api/v1/jobs/" + job + "/retry", OPERATOR, "");

        assertThat(retry.status()).as("%s", retry.body()).isEqualTo(201);
        assertThat(retry.body().get("request").get("targets").get(0).get("pids").toString())
                .isEqualTo("[2,3]");
        assertThat(retry.body().get("labels").get("retryOf").asString()).isEqualTo(job);
    }
}
