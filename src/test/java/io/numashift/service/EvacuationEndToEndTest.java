package io.numashift.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Evacuations (docs/evacuation.md) through the service on a random port with embedded simulated
 * agents, driven over HTTP: {@code POST /api/v1/evacuations}, then the job as every job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EvacuationEndToEndTest {
    static final String OPERATOR = "operator-secret";
    static final String VIEWER = "viewer-secret";

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        registry.add("numashift.sim.scenario", () -> "classpath:scenarios/evacuation.yaml");
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

    private JsonNode awaitEnd(String id) {
        return client.awaitEnd(id, VIEWER, Duration.ofSeconds(30));
    }

    private JsonNode evacuate(String body) {
        ServiceClient.Response submitted = client.post("/api/v1/evacuations", OPERATOR, body);
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
        String id = submitted.body().get("id").asString();
        assertThat(submitted.header("Location")).isEqualTo("/api/v1/jobs/" + id);
        return awaitEnd(id);
    }

    /** Per pid, per destination node: the pages that moved there from node 3. */
    private static Map<Integer, Map<Integer, Long>> moves(JsonNode task) {
        Map<Integer, Map<Integer, Long>> moves = new HashMap<>();
        for (JsonNode process : task.get("processes")) {
            Map<Integer, Long> to = new HashMap<>();
            for (JsonNode move : process.get("moves")) {
                assertThat(move.get("from").asInt()).isEqualTo(3);
                to.merge(move.get("to").asInt(), move.get("pages").asLong(), Long::sum);
            }
            moves.put(process.get("pid").asInt(), to);
        }
        return moves;
    }

    private static JsonNode task(JsonNode job, String host) {
        for (JsonNode task : job.get("tasks")) {
            if (task.get("host").asString().equals(host)) {
                return task;
            }
        }
        throw new AssertionError("no task of " + host + " in " + job);
    }

    @Test
    void aDryRunPlansTheEvacuationAndTheRunDoesWhatItPlanned() {
        JsonNode plan = evacuate("""
                {"name": "drain CXL", "hosts": ["e1", "e2"], "nodes": [3], "options": {"dryRun": true}}""");
        JsonNode done = evacuate("""
                {"name": "drain CXL", "hosts": ["e1", "e2"], "nodes": [3]}""");

        assertThat(plan.get("dryRun").asBoolean()).isTrue();
        assertThat(plan.get("request").get("evacuate").get("nodes").get(0).asInt())
                .isEqualTo(3);
        Map<Integer, Map<Integer, Long>> planned = moves(task(plan, "e1"));
        // 102 may use node 0 alone and goes first; 100 fills node 2 (300 pages free) and spills to
        // node 1; 101 is bound to node 3 alone, so its policy goes where its pages go: node 1.
        assertThat(planned)
                .containsOnlyKeys(100, 101, 102)
                .containsEntry(102, Map.of(0, 50L))
                .containsEntry(100, Map.of(2, 300L, 1, 100L))
                .containsEntry(101, Map.of(1, 98L));
        assertThat(moves(task(done, "e1"))).isEqualTo(planned);
        assertThat(moves(task(done, "e2"))).isEqualTo(moves(task(plan, "e2"))).containsEntry(200, Map.of(2, 600L));

        JsonNode e1 = task(done, "e1");
        assertThat(e1.get("evacuated").get(0).get("node").asInt()).isEqualTo(3);
        assertThat(e1.get("evacuated").get(0).get("pagesBefore").asLong()).isEqualTo(550);
        assertThat(e1.get("evacuated").get(0).get("pagesAfter").asLong()).isEqualTo(2);
        assertThat(e1.get("evacuated").get(0).get("usedBefore").asLong())
                .as("node 3 as the host counts it")
                .isEqualTo(550);
        assertThat(e1.get("evacuated").get(0).get("usedAfter").asLong()).isEqualTo(2);
        assertThat(task(plan, "e1").get("evacuated").get(0).get("usedAfter").asLong())
                .as("planned")
                .isEqualTo(2);
        assertThat(task(done, "e2").get("evacuated").get(0).get("pagesAfter").asLong())
                .isZero();
        assertThat(done.get("state").asString()).isEqualTo("PARTIALLY_FAILED");
        assertThat(done.get("failures")).as("%s", done.get("failures")).hasSize(1);
        assertThat(done.get("failures").get(0).get("pid").asInt()).isEqualTo(101);
        assertThat(done.get("failures").get(0).get("code").asString()).isEqualTo("EBUSY");
        JsonNode bound = e1.get("processes").get(2);
        assertThat(bound.get("pid").asInt()).isEqualTo(101);
        assertThat(bound.get("policyAfter").get("nodes").get(0).asInt()).isEqualTo(1);
    }

    @Test
    void everyHostAndNamedProcessesCanBeEvacuatedAndRetried() {
        JsonNode job = evacuate("""
                {"allHosts": true, "nodes": [3], "processes": {"pids": [101]}, "options": {"dryRun": true}}""");

        assertThat(job.get("tasks")).hasSize(3);
        assertThat(task(job, "e1").get("processes")).hasSize(1);
        assertThat(task(job, "e2").get("processes").get(0).get("errno").asString())
                .isEqualTo("ESRCH");

        ServiceClient.Response retried =
                client.post("/api/v1/jobs/" + job.get("id").asString() + "/retry", OPERATOR, "");
        assertThat(retried.status()).as("%s", retried.body()).isEqualTo(201);
        JsonNode again = awaitEnd(retried.body().get("id").asString());
        assertThat(again.get("request").get("evacuate").get("nodes").get(0).asInt())
                .isEqualTo(3);
        assertThat(again.get("tasks"))
                .as("none succeeded: 101 has pinned pages, e2 lacks it, e3 has no node 3")
                .hasSize(3);
    }

    @Test
    void badEvacuationsAreRefusedAndChangeNothing() {
        long before = client.get("/api/v1/jobs", VIEWER).body().get("items").size();
        Map<String, String> bad = Map.of(
                """
                {"hosts": ["e1"], "allHosts": true, "nodes": [3]}""", "hosts",
                """
                {"nodes": [3]}""", "hosts",
                """
                {"hosts": ["e1"], "nodes": [3, 3]}""", "nodes",
                """
                {"hosts": ["e1"], "nodes": []}""", "nodes",
                """
                {"hosts": ["e1"], "nodes": [-1]}""", "nodes[0]",
                """
                {"hosts": ["e1"], "nodes": [3], "processes": {}}""", "processes",
                """
                {"hosts": ["e1"], "nodes": [3], "options": {"newCpuset": "/x"}}""", "options.newCpuset",
                """
                {"hosts": ["e1"], "nodes": [3], "offline": true, "online": true}""", "online",
                """
                {"hosts": ["e1"], "nodes": [3], "online": true, "processes": {"pids": [1]}}""", "processes",
                """
                {"hosts": ["e1"], "nodes": [3], "offline": "yes"}""", "offline");
        bad.forEach((body, field) -> {
            ServiceClient.Response refused = client.post("/api/v1/evacuations", OPERATOR, body);
            assertThat(refused.status()).as(body).isEqualTo(400);
            assertThat(refused.body().toString()).as(body).contains(field);
        });
        assertThat(client.post("/api/v1/evacuations", OPERATOR, """
                        {"hosts": ["nowhere"], "nodes": [3]}""").status()).isEqualTo(422);
        ServiceClient.Response forbidden = client.post("/api/v1/evacuations", VIEWER, """
                {"hosts": ["e1"], "nodes": [3]}""");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(client.get("/api/v1/jobs", VIEWER).body().get("items").size())
                .isEqualTo(before);
    }

    @Test
    void offlineTakesAnEmptiedRemovableNodeOfflineAndOnlineBringsItBack() {
        JsonNode offline = evacuate("""
                {"hosts": ["e3"], "nodes": [2], "offline": true}""");

        assertThat(offline.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(offline.get("request").get("evacuate").get("memory").asString())
                .isEqualTo("OFFLINE");
        JsonNode node = task(offline, "e3").get("evacuated").get(0);
        assertThat(node.get("pagesBefore").asLong()).isEqualTo(200);
        assertThat(node.get("pagesAfter").asLong()).isZero();
        assertThat(node.get("memory").get("state").asString()).isEqualTo("OFFLINE");
        assertThat(node.get("memory").get("blocks").asInt()).isEqualTo(2);
        assertThat(node.get("memory").get("inState").asInt()).isEqualTo(2);
        assertThat(node2Capacity())
                .as("the service shows the node without memory")
                .isZero();
        // Offline, the node has no memory: a migration to it fails ENODEV on the host.
        assertThat(submitMigration("e3", 300, 0, 2)
                        .get("failures")
                        .get(0)
                        .get("code")
                        .asString())
                .isEqualTo("ENODEV");

        JsonNode online = evacuate("""
                {"hosts": ["e3"], "nodes": [2], "online": true}""");

        assertThat(online.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(task(online, "e3").get("processes")).isEmpty();
        assertThat(task(online, "e3")
                        .get("evacuated")
                        .get(0)
                        .get("memory")
                        .get("inState")
                        .asInt())
                .isEqualTo(2);
        assertThat(node2Capacity()).isEqualTo(65536);
        assertThat(submitMigration("e3", 300, 0, 2).get("state").asString()).isEqualTo("SUCCEEDED");
    }

    private long node2Capacity() {
        for (JsonNode node : client.get("/api/v1/hosts/e3", VIEWER).body().get("nodes")) {
            if (node.get("id").asInt() == 2) {
                return node.get("capacityPages").asLong();
            }
        }
        throw new AssertionError("e3 has no node 2");
    }

    @Test
    void aNodeThatKeepsPagesOrIsNotRemovableStaysOnlineAndFailsTheTask() {
        JsonNode notRemovable = evacuate("""
                {"hosts": ["e3"], "nodes": [1], "offline": true}""");

        assertThat(notRemovable.get("state").asString()).isEqualTo("FAILED");
        JsonNode failure = notRemovable.get("failures").get(0);
        assertThat(failure.get("code").asString()).isEqualTo("EBUSY");
        assertThat(failure.get("message").asString()).contains("node 1 has 0 of 1 memory blocks offline");
        assertThat(task(notRemovable, "e3")
                        .get("evacuated")
                        .get(0)
                        .get("memory")
                        .get("errno")
                        .asString())
                .isEqualTo("EBUSY");
    }

    private JsonNode submitMigration(String host, int pid, int from, int to) {
        ServiceClient.Response submitted = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["%s"], "pids": [%d]}], "oldNodes": [%d], "newNodes": [%d]}""".formatted(host, pid, from, to));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
        return awaitEnd(submitted.body().get("id").asString());
    }

    @Test
    void aNodeTheHostLacksFailsItsTask() {
        JsonNode job = evacuate("""
                {"hosts": ["e2"], "nodes": [9]}""");

        assertThat(job.get("state").asString()).isEqualTo("FAILED");
        assertThat(job.get("failures").get(0).get("code").asString()).isEqualTo("ENODEV");
    }
}
