package io.numashift.processes;

import static io.numashift.processes.ProcessCluster.AGENT;
import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.ProcessCluster.Service;
import io.numashift.service.Databases;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two service processes on one PostgreSQL schema, sharing the work: tasks leased exactly once
 * while agents of every host poll both replicas; a job submitted to one replica read, watched
 * and cancelled on the other; and a replica killed mid-job, whose agents move to the other. The
 * last test kills replica A, so the tests run in order.
 */
@Databases.RequiresPostgres
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasIT {
    private static final int HOSTS = 100;
    private static final int JOBS = 100;
    private static final List<String> FLEET =
            IntStream.range(0, HOSTS).mapToObj(i -> "r%03d".formatted(i)).toList();

    @TempDir
    static Path dir;

    static Databases.Schema schema;
    static ProcessCluster cluster;
    static Service a;
    static Service b;

    @BeforeAll
    static void startReplicas() {
        schema = Databases.schema();
        List<String> hosts = new ArrayList<>(FLEET);
        hosts.addAll(List.of("slow-a", "slow-b"));
        cluster = new ProcessCluster(dir, "/scenarios/processes.yaml", hosts);
        a = cluster.service("replica-a", schema.properties());
        b = cluster.service("replica-b", schema.properties());
    }

    @AfterAll
    static void stopReplicas() {
        cluster.close();
        schema.close();
    }

    @Test
    @Order(1)
    void tenThousandTasksAreEachLeasedExactlyOnceByAgentsPollingBothReplicas() throws Exception {
        ProtocolClient toA = a.client();
        ProtocolClient toB = b.client();
        for (String host : FLEET) {
            assertThat(toA.register(host, AGENT).status()).isEqualTo(200);
        }
        String targets = FLEET.stream().map(h -> "\"" + h + "\"").collect(Collectors.joining(", "));
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ProtocolClient.Response submitted =
                    (i % 2 == 0 ? toA : toB).post("/api/v1/jobs", OPERATOR, """
                            {"name": "fleet %d", "targets": [{"hosts": [%s], "pids": [1]}],
                             "oldNodes": [0], "newNodes": [1]}""".formatted(i, targets));
            assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
            jobs.add(submitted.body().get("id").asString());
        }

        Map<String, Long> leased = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger refusedResults = new AtomicInteger();
        AtomicBoolean polling = new AtomicBoolean(true);
        ExecutorService agents = Executors.newVirtualThreadPerTaskExecutor();
        for (String host : FLEET) {
            for (ProtocolClient replica : List.of(toA, toB)) {
                agents.submit(() -> {
                    while (polling.get()) {
                        ProtocolClient.Response lease = replica.lease(host, AGENT, "1s");
                        if (lease.status() != 200) {
                            continue;
                        }
                        String task = lease.body().get("taskId").asString();
                        long epoch = lease.body().get("epoch").asLong();
                        if (leased.putIfAbsent(task, epoch) != null) {
                            duplicates.incrementAndGet();
                        }
                        // As a real agent does: report until acknowledged (an overloaded replica
                        // may answer 503 for a while).
                        int status = 503;
                        while (status == 503) {
                            status = replica.result(task, epoch, AGENT, ProtocolClient.succeeded(1))
                                    .status();
                        }
                        if (status != 200) {
                            refusedResults.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        try {
            await("all tasks reported")
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> leased.size() >= HOSTS * JOBS);
        } finally {
            polling.set(false);
            agents.shutdown();
            assertThat(agents.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(leased).hasSize(HOSTS * JOBS);
        assertThat(duplicates).hasValue(0);
        assertThat(refusedResults).hasValue(0);
        assertThat(leased.values()).containsOnly(1L);
        for (String job : jobs) {
            JsonNode done = (job.hashCode() % 2 == 0 ? toA : toB).job(job, OPERATOR);
            assertThat(done.get("state").asString()).as(job).isEqualTo("SUCCEEDED");
            assertThat(done.get("tasks")).hasSize(HOSTS);
            for (JsonNode task : done.get("tasks")) {
                assertThat(task.get("attempts").asInt()).isEqualTo(1);
            }
        }
    }

    @Test
    @Order(2)
    void aJobSubmittedToOneReplicaIsReadWatchedAndCancelledOnTheOther() throws Exception {
        cluster.agent("replicas-agent-slow-a", "slow-a", List.of(a, b));
        ProtocolClient toA = a.client();
        ProtocolClient toB = b.client();
        b.awaitOnline("slow-a");

        String job = toA.submit(OPERATOR, "slow-a", 10);
        JsonNode onB = toB.job(job, OPERATOR);
        assertThat(onB.get("id").asString()).isEqualTo(job);
        CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(() -> events(b, job));

        long version = onB.get("version").asLong();
        long asked = System.nanoTime();
        JsonNode changed = toB.jobAfter(job, version, "20s", OPERATOR);
        Duration answeredIn = Duration.ofNanos(System.nanoTime() - asked);
        assertThat(changed.get("version").asLong()).isGreaterThan(version);
        assertThat(answeredIn).as("woken by the change made through A").isLessThan(Duration.ofSeconds(15));

        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        toB.job(job, OPERATOR).get("progress").get("pagesMoved").asLong() > 0);
        assertThat(toB.cancel(job, OPERATOR).status()).isEqualTo(202);

        JsonNode ended = await("cancelled")
                .atMost(Duration.ofSeconds(60))
                .until(
                        () -> toA.job(job, OPERATOR),
                        j -> j.get("state").asString().equals("CANCELLED"));
        assertThat(ended.get("tasks").get(0).get("state").asString()).isEqualTo("CANCELLED");
        List<String> stream = events.get(60, TimeUnit.SECONDS);
        assertThat(stream).isNotEmpty();
        assertThat(stream.getLast()).contains("\"state\":\"CANCELLED\"");
    }

    @Test
    @Order(3)
    void aReplicaKilledMidJobLeavesItsWorkToTheOther() {
        ProtocolClient toB = b.client();
        cluster.agent("replicas-agent-slow-b", "slow-b", List.of(a, b));
        b.awaitOnline("slow-b");
        String job = a.client().submit(OPERATOR, "slow-b", 10);
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        toB.job(job, OPERATOR).get("progress").get("pagesMoved").asLong() > 0);

        a.process().kill();

        JsonNode done = await("finished through B")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> toB.job(job, OPERATOR),
                        j -> j.get("state").asString().equals("SUCCEEDED"));
        JsonNode task = done.get("tasks").get(0);
        assertThat(task.get("processes").get(0).get("placementAfter").get("1").asLong())
                .as("every page of slow-b's process on node 1")
                .isEqualTo(65_536);
        assertThat(task.get("attempts").asInt())
                .as("the lease carried over to B")
                .isEqualTo(1);
    }

    /** The data of every event of a job's stream on a replica, until the stream ends. */
    private static List<String> events(Service replica, String job) {
        HttpRequest request = HttpRequest.newBuilder(replica.url().resolve("/api/v1/jobs/" + job + "/events"))
                .header("Authorization", "Bearer " + OPERATOR)
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(90))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofLines())
                    .body()
                    .filter(line -> line.startsWith("data:"))
                    .toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
