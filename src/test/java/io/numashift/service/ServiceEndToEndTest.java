package io.numashift.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The service started on a random port with embedded simulated agents (a two-host scenario), driven
 * over HTTP as its users drive it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceEndToEndTest {
    static final String OPERATOR = "operator-secret";
    static final String VIEWER = "viewer-secret";

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        registry.add("numashift.sim.scenario", () -> "classpath:scenarios/e2e.yaml");
        // Short, so that the test of idle agents below sees what an idle cluster looks like.
        registry.add("numashift.hosts.unknown-after", () -> "2s");
        ServiceClient.tokens(registry, OPERATOR, VIEWER);
    }

    @LocalServerPort
    int port;

    ServiceClient client;

    @BeforeEach
    void agentsRegistered() {
        client = new ServiceClient(port);
        client.awaitHosts(3, VIEWER);
    }

    static final String JOB = """
            {"name": "e2e", "labels": {"slurmJobId": "%s"},
             "targets": [{"hosts": ["h1", "h2"], "cpuset": "/job"}],
             "oldNodes": [0], "newNodes": [1]}""";

    private JsonNode awaitEnd(String id) {
        return client.awaitEnd(id, VIEWER, Duration.ofSeconds(30));
    }

    @Test
    void submittedJobRunsOnEveryHostAndReportsEachProcess() {
        ServiceClient.Response submitted = client.post("/api/v1/jobs", OPERATOR, JOB.formatted("1"));

        assertThat(submitted.status()).isEqualTo(201);
        String id = submitted.body().get("id").asString();
        assertThat(submitted.header("Location")).isEqualTo("/api/v1/jobs/" + id);
        assertThat(submitted.body().get("submittedBy").asString()).isEqualTo("ops");

        JsonNode job = awaitEnd(id);

        assertThat(job.get("state").asString()).isEqualTo("PARTIALLY_FAILED");
        assertThat(job.get("progress").get("hostsDone").asInt()).isEqualTo(2);
        assertThat(job.get("progress").get("pagesMoved").asLong()).isEqualTo(2000 + 97 + 1000);
        assertThat(job.get("progress").get("percent").asDouble()).isEqualTo(100.0);
        JsonNode h1 = job.get("tasks").get(0);
        assertThat(h1.get("host").asString()).isEqualTo("h1");
        assertThat(h1.get("state").asString()).isEqualTo("PARTIALLY_FAILED");
        assertThat(h1.get("processes").get(0).get("pid").asInt()).isEqualTo(100);
        assertThat(h1.get("processes").get(0).get("placementAfter").get("1").asLong())
                .isEqualTo(2000);
        assertThat(h1.get("processes").get(1).get("pagesFailed").get("EBUSY").asLong())
                .isEqualTo(3);
        assertThat(h1.get("processes").get(0).get("vmas").get(0).get("start").asString())
                .isEqualTo("0x10000000");
        assertThat(job.get("tasks").get(1).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("failures")).hasSize(1);
        assertThat(job.get("failures").get(0).get("pid").asInt()).isEqualTo(101);
        assertThat(job.get("failures").get(0).get("code").asString()).isEqualTo("EBUSY");
        assertThat(job.get("version").asLong())
                .isGreaterThan(submitted.body().get("version").asLong());
    }

    @Test
    void refusesMissingUnknownAndUnderprivilegedTokens() {
        assertThat(client.get("/api/v1/jobs", null).status()).isEqualTo(401);
        assertThat(client.get("/api/v1/jobs", "nope").status()).isEqualTo(401);
        ServiceClient.Response forbidden = client.post("/api/v1/jobs", VIEWER, JOB.formatted("2"));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.body().get("code").asString()).isEqualTo("EPERM");
        assertThat(client.get("/api/v1/jobs", VIEWER).status()).isEqualTo(200);
        assertThat(client.get("/actuator/health", null).status()).isEqualTo(200);
        assertThat(client.post("/api/v1/agents/h1/lease?wait=1ms", OPERATOR, "").status())
                .isEqualTo(403);
    }

    @Test
    void refusesInvalidRequestsWithEinvalAndChangesNothing() {
        long before =
                client.get("/api/v1/jobs?limit=500", VIEWER).body().get("items").size();

        ServiceClient.Response repeated = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h1"], "pids": [100]}], "oldNodes": [0, 0], "newNodes": [1, 1]}""");
        ServiceClient.Response unaligned = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h1"], "pids": [100]}], "oldNodes": [0], "newNodes": [1],
                 "range": {"start": "0x1001", "end": "0x2000"}}""");
        ServiceClient.Response noTargets = client.post("/api/v1/jobs", OPERATOR, """
                {"oldNodes": [0], "newNodes": [1]}""");
        ServiceClient.Response both = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h1"], "pids": [100], "cpuset": "/job"}], "oldNodes": [0], "newNodes": [1]}""");
        ServiceClient.Response malformed = client.post("/api/v1/jobs", OPERATOR, "{\"targets\": [");
        ServiceClient.Response wrongType = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h1"], "pids": [100]}], "oldNodes": "zero", "newNodes": [1]}""");
        ServiceClient.Response huge = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h1"], "pids": [100]}], "oldNodes": [99999999999999], "newNodes": [1]}""");
        ServiceClient.Response unknownHost = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h9"], "pids": [100]}], "oldNodes": [0], "newNodes": [1]}""");

        for (ServiceClient.Response response :
                List.of(repeated, unaligned, noTargets, both, malformed, wrongType, huge)) {
            assertThat(response.status()).as(response.raw().body()).isEqualTo(400);
            assertThat(response.body().get("code").asString()).isEqualTo("EINVAL");
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.body().has("type")
                            && response.body().has("title")
                            && response.body().has("detail"))
                    .as(response.raw().body())
                    .isTrue();
            assertThat(response.body().get("status").asInt()).isEqualTo(400);
        }
        assertThat(repeated.body().get("errors").get(0).get("field").asString()).isEqualTo("oldNodes");
        assertThat(unaligned.body().get("errors").get(0).get("field").asString())
                .isEqualTo("range.start");
        assertThat(unknownHost.status()).isEqualTo(422);
        assertThat(unknownHost.body().get("code").asString()).isEqualTo("UNKNOWN_HOST");
        assertThat(unknownHost.body().get("hosts").get(0).asString()).isEqualTo("h9");
        assertThat(client.get("/api/v1/jobs?limit=500", VIEWER)
                        .body()
                        .get("items")
                        .size())
                .isEqualTo(before);
    }

    @Test
    void oversizedBodiesAreRefusedWith413() {
        String huge = "{\"name\": \"" + "x".repeat(2 << 20) + "\"}";

        ServiceClient.Response response = client.post("/api/v1/jobs", OPERATOR, huge);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body().get("code").asString()).isEqualTo("EINVAL");
    }

    @Test
    void metricsNameJobsPagesTasksHostsAndLeases() {
        String id = client.post("/api/v1/jobs", OPERATOR, JOB.formatted("metrics"))
                .body()
                .get("id")
                .asString();
        awaitEnd(id);

        String metrics = client.raw(
                        HttpRequest.newBuilder(client.uri("/actuator/prometheus"))
                                .GET(),
                        VIEWER)
                .body();

        assertThat(metrics)
                .contains(
                        "numashift_jobs_submitted_total",
                        "numashift_jobs_finished_total{",
                        "numashift_pages_moved_total",
                        "numashift_task_duration_seconds",
                        "numashift_hosts{state=\"ONLINE\"} 3",
                        "numashift_lease_expirations_total");
    }

    @Test
    void idleAgentsInALongPollStayOnlineAndTheServiceReady() throws InterruptedException {
        // The embedded agents wait in 30 s lease requests, far longer than unknown-after (2 s).
        Thread.sleep(3_000);

        JsonNode hosts = client.get("/api/v1/hosts", VIEWER).body().get("items");

        assertThat(hosts.findValuesAsString("state")).containsOnly("ONLINE");
        assertThat(client.get("/actuator/health/readiness", null).status()).isEqualTo(200);
    }

    @Test
    void dryRunGoesToTheHostsAndPlansWithoutMoving() {
        // Other tests move h2's pages back and forth; a swap plans to move all of them either way.
        String body = """
                {"targets": [{"hosts": ["h2"], "pids": [200]}], "oldNodes": [0, 1], "newNodes": [1, 0],
                 "options": {"dryRun": true, "onFailure": "ROLLBACK"}}""";
        JsonNode first = awaitEnd(
                client.post("/api/v1/jobs", OPERATOR, body).body().get("id").asString());
        JsonNode second = awaitEnd(
                client.post("/api/v1/jobs", OPERATOR, body).body().get("id").asString());

        assertThat(first.get("dryRun").asBoolean()).isTrue();
        assertThat(first.get("request").get("options").get("onFailure").asString())
                .isEqualTo("ROLLBACK");
        JsonNode process = first.get("tasks").get(0).get("processes").get(0);
        long planned = 0;
        for (JsonNode move : process.get("moves")) {
            planned += move.get("pages").asLong();
        }
        assertThat(planned).isEqualTo(1000);
        assertThat(process.get("estimatedSeconds").asDouble()).isPositive();
        assertThat(second.get("tasks").get(0).get("processes").get(0).get("placementBefore"))
                .as("the first dry run moved nothing")
                .isEqualTo(process.get("placementBefore"));
    }

    @Test
    void hostsShowTopologyStateAndUnknownHostsAreNotFound() {
        JsonNode host = client.get("/api/v1/hosts/h1", VIEWER).body();

        assertThat(host.get("state").asString()).isEqualTo("ONLINE");
        assertThat(host.get("backend").asString()).isEqualTo("simulated");
        assertThat(host.get("pageSize").asInt()).isEqualTo(4096);
        assertThat(host.get("nodes")).hasSize(2);
        assertThat(host.get("distances").get(0).get(1).asInt()).isEqualTo(20);
        ServiceClient.Response missing = client.get("/api/v1/hosts/nope", VIEWER);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("code").asString()).isEqualTo("HOST_NOT_FOUND");
    }

    @Test
    void listFiltersByHostStateAndSubmitter() {
        String id = client.post("/api/v1/jobs", OPERATOR, """
                        {"labels": {"filter": "host"}, "targets": [{"hosts": ["h2"], "pids": [200]}],
                         "oldNodes": [1], "newNodes": [0]}""").body().get("id").asString();
        String state = awaitEnd(id).get("state").asString();

        JsonNode byHost =
                client.get("/api/v1/jobs?host=h2&label=filter:host", VIEWER).body();
        JsonNode otherHost =
                client.get("/api/v1/jobs?host=h1&label=filter:host", VIEWER).body();
        JsonNode byState = client.get("/api/v1/jobs?state=" + state + "&label=filter:host", VIEWER)
                .body();
        JsonNode bySubmitter = client.get("/api/v1/jobs?submittedBy=ops&label=filter:host", VIEWER)
                .body();
        JsonNode otherSubmitter = client.get("/api/v1/jobs?submittedBy=dashboard&label=filter:host", VIEWER)
                .body();

        assertThat(byHost.get("items")).hasSize(1);
        assertThat(otherHost.get("items")).isEmpty();
        assertThat(byState.get("items")).hasSize(1);
        assertThat(bySubmitter.get("items")).hasSize(1);
        assertThat(otherSubmitter.get("items")).isEmpty();
    }

    @Test
    void cancellingARunningJobStopsItAtABatchAndKeepsWhatMoved() {
        String id = client.post("/api/v1/jobs", OPERATOR, """
                        {"targets": [{"hosts": ["h3"], "pids": [300]}], "oldNodes": [0, 1], "newNodes": [1, 0]}""").body().get("id").asString();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.get("/api/v1/jobs/" + id, VIEWER)
                                .body()
                                .get("progress")
                                .get("pagesMoved")
                                .asLong()
                        > 0);

        ServiceClient.Response cancel = client.post("/api/v1/jobs/" + id + "/cancel", OPERATOR, "");

        assertThat(cancel.status()).isEqualTo(202);
        assertThat(cancel.body().get("state").asString()).isEqualTo("CANCELLING");
        JsonNode job = awaitEnd(id);
        assertThat(job.get("state").asString()).isEqualTo("CANCELLED");
        JsonNode process = job.get("tasks").get(0).get("processes").get(0);
        assertThat(process.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(process.get("pagesMoved").asLong()).isBetween(1L, 524_287L);
        assertThat(job.get("failures").get(0).get("code").asString()).isEqualTo("CANCELLED");
    }

    @Test
    void aSlurmJobIsResolvedToItsProcessesOnEachHostAndAJobThatRunsNothingThereFailsEsrch() {
        String id = client.post("/api/v1/jobs", OPERATOR, """
                        {"targets": [{"hosts": ["h1", "h2"], "slurmJob": "42"}], "oldNodes": [0], "newNodes": [1],
                         "options": {"dryRun": true}}""").body().get("id").asString();
        String elsewhere =
                client.post("/api/v1/jobs", OPERATOR, """
                        {"targets": [{"hosts": ["h2"], "slurmJob": "43"}], "oldNodes": [0], "newNodes": [1]}""").body().get("id").asString();
        ServiceClient.Response both = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h2"], "pids": [200], "slurmJob": "42"}], "oldNodes": [0], "newNodes": [1]}""");
        ServiceClient.Response notAnId = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h2"], "slurmJob": "42; rm -rf /"}], "oldNodes": [0], "newNodes": [1]}""");

        JsonNode job = awaitEnd(id);
        assertThat(job.get("request").get("targets").get(0).get("slurmJob").asString())
                .isEqualTo("42");
        Map<String, List<Integer>> pids = new TreeMap<>();
        for (JsonNode task : job.get("tasks")) {
            List<Integer> of = new ArrayList<>();
            task.get("processes").forEach(p -> of.add(p.get("pid").asInt()));
            pids.put(task.get("host").asString(), of);
        }
        assertThat(pids)
                .as("the scenario's processes of Slurm job 42")
                .isEqualTo(Map.of("h1", List.of(100), "h2", List.of(200)));

        JsonNode failed = awaitEnd(elsewhere);
        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(failed.get("failures").get(0).get("code").asString()).isEqualTo("ESRCH");
        assertThat(failed.get("failures").get(0).get("message").asString())
                .contains("Slurm job 43 runs no process on host h2");

        assertThat(both.status()).isEqualTo(400);
        assertThat(both.body().toString()).contains("give one of pids, a cpuset or a slurmJob");
        assertThat(notAnId.status()).isEqualTo(400);
        assertThat(notAnId.body().toString()).contains("targets[0].slurmJob");
    }

    @Test
    void optionsReachTheEngineOnTheHost() {
        String id = client.post("/api/v1/jobs", OPERATOR, """
                        {"targets": [{"hosts": ["h2"], "pids": [200]}], "oldNodes": [0], "newNodes": [1],
                         "options": {"newCpuset": "/nope", "suspend": true}}""").body().get("id").asString();

        JsonNode job = awaitEnd(id);

        assertThat(job.get("state").asString()).isEqualTo("FAILED");
        assertThat(job.get("failures").get(0).get("code").asString()).isEqualTo("EINVAL");
        assertThat(job.get("failures").get(0).get("message").asString()).contains("cpuset /nope does not exist");
    }

    @Test
    void theVerificationAskedForIsDoneAndSaidAndDigestsAreAbsentUnlessContentIsVerified() {
        String placement =
                client.post("/api/v1/jobs", OPERATOR, """
                        {"targets": [{"hosts": ["h2"], "pids": [200]}], "oldNodes": [0], "newNodes": [1]}""").body().get("id").asString();
        String content =
                client.post("/api/v1/jobs", OPERATOR, """
                        {"targets": [{"hosts": ["h2"], "pids": [200]}], "oldNodes": [1], "newNodes": [0],
                         "options": {"verify": "CONTENT"}}""").body().get("id").asString();
        ServiceClient.Response refused = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h2"], "pids": [200]}], "oldNodes": [0], "newNodes": [1],
                 "options": {"verify": "EVERYTHING"}}""");

        JsonNode byDefault = awaitEnd(placement);
        JsonNode verified = awaitEnd(content);

        assertThat(byDefault.get("request").get("options").get("verify").asString())
                .isEqualTo("PLACEMENT");
        JsonNode placed = byDefault.get("tasks").get(0).get("processes").get(0);
        assertThat(placed.get("verify").asString()).isEqualTo("PLACEMENT");
        assertThat(placed.has("contentDigestBefore")).isFalse();
        assertThat(placed.has("contentDigestAfter")).isFalse();
        JsonNode digested = verified.get("tasks").get(0).get("processes").get(0);
        assertThat(digested.get("verify").asString()).isEqualTo("CONTENT");
        assertThat(digested.get("contentDigestBefore").asString())
                .isNotBlank()
                .isEqualTo(digested.get("contentDigestAfter").asString());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().toString()).contains("options.verify");
    }

    @Test
    void aRateCapIsAnOptionOfTheJobAndEachProcessSaysItsRateAndCpuTime() {
        ServiceClient.Response capped = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h2"], "pids": [200]}], "oldNodes": [0], "newNodes": [1],
                 "options": {"maxMiBPerSecond": 100000}}""");
        ServiceClient.Response zero = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["h2"], "pids": [200]}], "oldNodes": [0], "newNodes": [1],
                 "options": {"maxMiBPerSecond": 0}}""");

        JsonNode job = awaitEnd(capped.body().get("id").asString());

        assertThat(job.get("request").get("options").get("maxMiBPerSecond").asInt())
                .isEqualTo(100000);
        JsonNode process = job.get("tasks").get(0).get("processes").get(0);
        // The embedded agents run on virtual threads, whose CPU time the JVM does not measure.
        assertThat(process.get("cpuSeconds").isNull()).isTrue();
        if (process.get("pagesMoved").asLong() > 0) {
            assertThat(process.get("mibPerSecond").asDouble()).isPositive();
        }
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.body().toString()).contains("options.maxMiBPerSecond");
    }

    @Test
    void unknownJobIsNotFound() {
        ServiceClient.Response response = client.get("/api/v1/jobs/6b1f0c36-6f3c-4c53-9df8-0b1f0c366f3c", VIEWER);
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.body().get("code").asString()).isEqualTo("JOB_NOT_FOUND");
        assertThat(client.get("/api/v1/jobs/not-a-uuid", VIEWER).status()).isEqualTo(404);
    }

    @Test
    void sameIdempotencyKeyReturnsTheFirstJobAndAnotherBodyConflicts() throws Exception {
        String body = JOB.formatted("idem");
        List<Callable<ServiceClient.Response>> submits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            submits.add(() -> client.post("/api/v1/jobs", OPERATOR, body, "key-1"));
        }
        List<ServiceClient.Response> responses = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<ServiceClient.Response> f : pool.invokeAll(submits)) {
                responses.add(f.get());
            }
        }

        Set<String> ids = new java.util.HashSet<>();
        responses.forEach(r -> ids.add(r.body().get("id").asString()));
        assertThat(ids).hasSize(1);
        assertThat(responses).extracting(ServiceClient.Response::status).containsOnly(200, 201);
        assertThat(responses).filteredOn(r -> r.status() == 201).hasSize(1);

        ServiceClient.Response conflict = client.post("/api/v1/jobs", OPERATOR, JOB.formatted("other"), "key-1");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.body().get("code").asString()).isEqualTo("IDEMPOTENCY_CONFLICT");
    }

    @Test
    void cancellingAFinishedJobIsInvalidState() {
        String id = client.post("/api/v1/jobs", OPERATOR, JOB.formatted("3"))
                .body()
                .get("id")
                .asString();
        awaitEnd(id);

        ServiceClient.Response response = client.post("/api/v1/jobs/" + id + "/cancel", OPERATOR, "");

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.body().get("code").asString()).isEqualTo("INVALID_STATE");
    }

    @Test
    void retryTargetsOnlyWhatDidNotSucceed() {
        String id = client.post("/api/v1/jobs", OPERATOR, JOB.formatted("4"))
                .body()
                .get("id")
                .asString();
        awaitEnd(id);

        ServiceClient.Response retry = client.post("/api/v1/jobs/" + id + "/retry", OPERATOR, "");

        assertThat(retry.status()).isEqualTo(201);
        JsonNode job = retry.body();
        assertThat(job.get("labels").get("retryOf").asString()).isEqualTo(id);
        assertThat(job.get("tasks")).hasSize(1);
        assertThat(job.get("tasks").get(0).get("host").asString()).isEqualTo("h1");
        assertThat(job.get("request").get("targets").get(0).get("pids").get(0).asInt())
                .isEqualTo(101);
    }

    @Test
    void listFiltersByLabelAndPagesWithACursor() {
        for (int i = 0; i < 3; i++) {
            client.post("/api/v1/jobs", OPERATOR, JOB.formatted("list"));
        }

        JsonNode first =
                client.get("/api/v1/jobs?label=slurmJobId:list&limit=2", VIEWER).body();
        JsonNode second = client.get(
                        "/api/v1/jobs?label=slurmJobId:list&limit=2&after="
                                + first.get("next").asString(),
                        VIEWER)
                .body();

        assertThat(first.get("items")).hasSize(2);
        assertThat(second.get("items")).hasSize(1);
        assertThat(second.get("next").isNull()).isTrue();
        Set<String> ids = new java.util.HashSet<>();
        first.get("items").forEach(j -> ids.add(j.get("id").asString()));
        second.get("items").forEach(j -> ids.add(j.get("id").asString()));
        assertThat(ids).hasSize(3);
        assertThat(client.get("/api/v1/jobs?limit=501", VIEWER).status()).isEqualTo(400);
        assertThat(client.get("/api/v1/jobs?state=NOPE", VIEWER).status()).isEqualTo(400);
    }

    @Test
    void blockingReadAnswersWhenTheVersionMovesAndEventsEndAtTheTerminalState() {
        ServiceClient.Response submitted = client.post("/api/v1/jobs", OPERATOR, JOB.formatted("5"));
        String id = submitted.body().get("id").asString();

        ServiceClient.Response changed = client.get("/api/v1/jobs/" + id + "?index=1&wait=20s", VIEWER);
        assertThat(changed.body().get("version").asLong()).isGreaterThan(1);
        assertThat(changed.header("X-Job-Version"))
                .isEqualTo(changed.body().get("version").asString());

        var events = client.raw(
                HttpRequest.newBuilder(client.uri("/api/v1/jobs/" + id + "/events"))
                        .GET(),
                VIEWER);
        assertThat(events.statusCode()).isEqualTo(200);
        List<String> data =
                events.body().lines().filter(l -> l.startsWith("data:")).toList();
        assertThat(data).isNotEmpty();
        JsonNode last = ServiceClient.JSON.readTree(data.getLast().substring("data:".length()));
        assertThat(last.get("state").asString()).isIn("SUCCEEDED", "PARTIALLY_FAILED");
    }
}
