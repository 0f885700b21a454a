package io.numashift.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.security.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One request of each class of hostile input that an attack with fuzzers found, from every kind of
 * caller: each is refused with a {@code 400 EINVAL} problem naming the field (or the status its
 * class calls for), as {@code application/problem+json} whose detail names no Java class, and
 * changes nothing. No embedded agents run: the test speaks the agent protocol itself, with the
 * tokens of two hosts.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "numashift.sim.embedded-agents=false",
            "numashift.dispatch.reap-interval=1h",
            // Each test leases a task of its own on the same host.
            "numashift.dispatch.tasks-per-host=1000"
        })
class HostileInputTest {
    static final String OPERATOR = "hostile-operator";
    static final String VIEWER = "hostile-viewer";
    static final String AGENT_A = "hostile-agent-a";
    static final String AGENT_B = "hostile-agent-b";
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** What a detail must never contain: Java classes, packages, methods and libraries. */
    static final Pattern JAVA = Pattern.compile(
            "java\\.|javax\\.|jakarta\\.|tools\\.jackson|com\\.fasterxml|org\\.springframework|org\\.hibernate|org\\.apache"
                    + "|Exception|\\.class\\b|\\bio\\.numashift|[A-Za-z]\\$[A-Za-z]|`");

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        String[][] tokens = {
            {"ops", OPERATOR, "OPERATOR", ""},
            {"dashboard", VIEWER, "VIEWER", ""},
            {"agent-a", AGENT_A, "AGENT", "ha"},
            {"agent-b", AGENT_B, "AGENT", "hb"}
        };
        for (int i = 0; i < tokens.length; i++) {
            String[] token = tokens[i];
            registry.add("numashift.security.tokens[" + i + "].name", () -> token[0]);
            registry.add("numashift.security.tokens[" + i + "].sha256", () -> Tokens.sha256Hex(token[1]));
            registry.add("numashift.security.tokens[" + i + "].roles", () -> token[2]);
            registry.add("numashift.security.tokens[" + i + "].hosts", () -> token[3]);
        }
    }

    static final String REGISTRATION = """
            {"backend": "simulated", "agentVersion": "test", "pageSize": 4096,
             "topology": {"nodes": [{"id": 0, "capacityPages": 1000, "freePages": 900, "cpus": [0]},
                                    {"id": 1, "capacityPages": 1000, "freePages": 1000, "cpus": [1]}],
                          "distances": [[10, 20], [20, 10]]}}""";

    static final String JOB = """
            {"targets": [{"hosts": ["ha"], "pids": [10, 11]}], "oldNodes": [0], "newNodes": [1]}""";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void hostsRegistered() {
        assertThat(post("/api/v1/agents/ha/register", AGENT_A, REGISTRATION).status())
                .isEqualTo(200);
        assertThat(post("/api/v1/agents/hb/register", AGENT_B, REGISTRATION).status())
                .isEqualTo(200);
    }

    // ---- bodies of submits: nulls, types, duplicates, unknown fields, sizes ----

    @Test
    void nullsInsideArraysAreRefusedNamingTheElement() {
        String before = jobList();

        assertInvalid(
                submit("{\"targets\": [{\"hosts\": [null], \"pids\": [10]}], \"oldNodes\": [0], \"newNodes\": [1]}"),
                "targets[0].hosts[0]");
        assertInvalid(
                submit(
                        "{\"targets\": [{\"hosts\": [\"ha\"], \"pids\": [null]}], \"oldNodes\": [0], \"newNodes\": [1]}"),
                "targets[0].pids[0]");
        assertInvalid(submit("{\"targets\": [null], \"oldNodes\": [0], \"newNodes\": [1]}"), "targets[0]");
        assertInvalid(
                submit(
                        "{\"targets\": [{\"hosts\": [\"ha\"], \"pids\": [10]}], \"oldNodes\": [null], \"newNodes\": [1]}"),
                "oldNodes[0]");
        assertInvalid(
                submit(
                        "{\"labels\": {\"a\": null}, \"targets\": [{\"hosts\": [\"ha\"], \"pids\": [10]}], \"oldNodes\": [0], \"newNodes\": [1]}"),
                "labels[a]");

        assertThat(jobList()).isEqualTo(before);
    }

    @Test
    void valuesOfTheWrongTypeAreRefusedNotCoerced() {
        String before = jobList();

        assertInvalid(submit(JOB.replace("\"newNodes\": [1]", "\"newNodes\": [2.5]")), "newNodes[0]");
        assertInvalid(submit(JOB.replace("\"oldNodes\": [0]", "\"oldNodes\": [\"0\"]")), "oldNodes[0]");
        assertInvalid(submit(JOB.replace("[10, 11]", "[10, \"11\"]")), "targets[0].pids[1]");
        assertInvalid(submit(withOptions("{\"dryRun\": 0}")), "options.dryRun");
        assertInvalid(submit(withOptions("{\"moveShared\": 1}")), "options.moveShared");
        assertInvalid(submit(withOptions("{\"suspend\": \"true\"}")), "options.suspend");
        assertInvalid(submit(withOptions("{\"onFailure\": \"rollback\"}")), "options.onFailure");
        assertInvalid(submit(JOB.replace("{\"targets\"", "{\"labels\": {\"a\": 1}, \"targets\"")), "labels[a]");
        assertInvalid(submit(JOB.replace("{\"targets\"", "{\"name\": 7, \"targets\"")), "name");
        assertInvalid(submit(JOB.replace("{\"targets\"", "{\"count\": 1.0, \"targets\"")), "count");
        assertInvalid(submit(JOB.replace("[10, 11]", "[10, 99999999999]")), "targets[0].pids[1]");
        assertInvalid(
                submit(JOB.replace("{\"targets\"", "{\"range\": {\"start\": 4096, \"end\": 1.5e3}, \"targets\"")),
                "range.end");
        assertInvalid(
                submit(JOB.replace("{\"targets\"", "{\"range\": {\"start\": \"0xzz\", \"end\": 8192}, \"targets\"")),
                "range.start");

        assertThat(jobList()).isEqualTo(before);
    }

    @Test
    void duplicateKeysAreRefused() {
        String before = jobList();

        // A dry run first, then null: a reader that keeps the last key ran a real migration.
        assertInvalid(submit("""
                        {"targets": [{"hosts": ["ha"], "pids": [10, 11]}], "oldNodes": [0], "newNodes": [1],
                         "options": {"dryRun": true}, "options": null}"""), "options");
        assertInvalid(submit(withOptions("{\"dryRun\": true, \"dryRun\": false}")), "options.dryRun");

        assertThat(jobList()).isEqualTo(before);
    }

    @Test
    void unknownFieldsTrailingGarbageAndMalformedBodiesAreRefused() {
        String before = jobList();

        assertInvalid(submit(JOB.replace("{\"targets\"", "{\"hostz\": [\"ha\"], \"targets\"")), "hostz");
        assertInvalid(submit(withOptions("{\"dryrun\": true}")), "options.dryrun");
        Response trailing = submit(JOB + " {}");
        assertInvalid(trailing, "body");
        assertThat(trailing.json().get("detail").asString()).contains("one JSON value");
        assertInvalid(submit(JOB.substring(0, 30)), null);
        assertInvalid(submit(""), "body");
        assertInvalid(submit("[]"), "body");

        assertThat(jobList()).isEqualTo(before);
    }

    @Test
    void stringsLongerThanTheirColumnAreRefused() {
        String before = jobList();

        assertInvalid(
                submit(JOB.replace("{\"targets\"", "{\"name\": \"" + "n".repeat(256) + "\", \"targets\"")), "name");
        assertInvalid(
                submit(JOB.replace("{\"targets\"", "{\"labels\": {\"k\": \"" + "v".repeat(1025) + "\"}, \"targets\"")),
                "labels[k]");
        assertInvalid(submit(JOB.replace("\"ha\"", "\"" + "h".repeat(300) + "\"")), "targets[0].hosts[0]");
        assertInvalid(submit(withOptions("{\"newCpuset\": \"/" + "c".repeat(300) + "\"}")), "options.newCpuset");
        assertInvalid(
                post(
                        "/api/v1/agents/ha/register",
                        AGENT_A,
                        REGISTRATION.replace("\"simulated\"", "\"" + "b".repeat(33) + "\"")),
                "backend");
        assertInvalid(
                post(
                        "/api/v1/agents/ha/register",
                        AGENT_A,
                        REGISTRATION.replace("\"test\"", "\"" + "v".repeat(65) + "\"")),
                "agentVersion");
        Response key = send(request("/api/v1/jobs", OPERATOR)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "k".repeat(256))
                .POST(HttpRequest.BodyPublishers.ofString(JOB)));
        assertInvalid(key, "Idempotency-Key");

        assertThat(jobList()).isEqualTo(before);
    }

    @Test
    void textThatNoDatabaseKeepsAsSentIsRefused() {
        String before = jobList();

        assertInvalid(submit(JOB.replace("{\"targets\"", "{\"name\": \"a\\u0000b\", \"targets\"")), "name");
        assertInvalid(submit(JOB.replace("{\"targets\"", "{\"name\": \"a\\ud800b\", \"targets\"")), "name");
        assertInvalid(
                submit(JOB.replace("{\"targets\"", "{\"labels\": {\"k\": \"\\udc00\"}, \"targets\"")), "labels[k]");
        assertInvalid(submit(JOB.replace("{\"targets\"", "{\"labels\": {\"k\\u0000\": \"v\"}, \"targets\"")), "labels");
        assertInvalid(get("/api/v1/jobs?submittedBy=a%00b", VIEWER), "submittedBy");
        assertThat(jobList()).isEqualTo(before);

        Response paired =
                submit(JOB.replace("{\"targets\"", "{\"name\": \"\\ud83d\\ude80 to the far socket\", \"targets\""));
        assertThat(paired.status())
                .as("a surrogate pair is text like any other")
                .isEqualTo(201);
        assertThat(get("/api/v1/jobs/" + paired.json().get("id").asString(), VIEWER)
                        .json()
                        .get("name")
                        .asString())
                .isEqualTo("\ud83d\ude80 to the far socket");
    }

    @Test
    void aSubmitThatCannotBeAnsweredInTheAcceptedMediaTypeStoresNothing() {
        String before = jobList();

        Response xml = send(request("/api/v1/jobs", OPERATOR)
                .header("Content-Type", "application/json")
                .header("Accept", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString(JOB)));

        assertProblem(xml, 406, "EINVAL");
        assertThat(jobList()).isEqualTo(before);
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedWith415() {
        Response text = send(request("/api/v1/jobs", OPERATOR)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(JOB)));

        assertProblem(text, 415, "EINVAL");
    }

    @Test
    void queryParametersOfTheWrongTypeAreRefused() {
        assertInvalid(get("/api/v1/jobs?limit=ten", VIEWER), "limit");
        assertInvalid(get("/api/v1/jobs?limit=501", VIEWER), "limit");
        assertInvalid(get("/api/v1/jobs?state=DONE", VIEWER), "state");
        assertInvalid(get("/api/v1/jobs?after=%25%25", VIEWER), "after");
        assertInvalid(get("/api/v1/hosts?limit=-1", VIEWER), "limit");
        assertInvalid(get("/api/v1/hosts?after=***", VIEWER), "after");
    }

    // ---- agents' reports ----

    @Test
    void aHeartbeatWithoutProgressIsRefused() {
        Lease lease = leaseNewTask();

        assertInvalid(
                post("/api/v1/tasks/" + lease.taskId() + "/heartbeat", AGENT_A, "{\"epoch\": " + lease.epoch() + "}"),
                "progress");
        assertInvalid(
                post("/api/v1/tasks/" + lease.taskId() + "/heartbeat", AGENT_A, """
                        {"epoch": %d, "progress": {"processesTotal": 1, "processesDone": 2, "pagesToMove": 0,
                         "pagesMoved": 0, "pagesSkipped": 0, "pagesFailed": 0}}""".formatted(lease.epoch())),
                "progress.processesDone");
        assertInvalid(
                post("/api/v1/tasks/" + lease.taskId() + "/heartbeat", AGENT_A, """
                        {"epoch": %d, "progress": {"processesTotal": 1, "processesDone": 0, "pagesToMove": -5,
                         "pagesMoved": 0, "pagesSkipped": 0, "pagesFailed": 0}}""".formatted(lease.epoch())),
                "progress.pagesToMove");
    }

    @Test
    void resultsThatDisagreeWithTheirLeaseAreRefusedAndChangeNothing() {
        Lease lease = leaseNewTask();
        String jobBefore = get("/api/v1/jobs/" + lease.jobId(), VIEWER).text();
        Map<String, String> bad = Map.of(
                "processes[2].pid", processes(process(10), process(11), process(12)),
                "processes", processes(process(10)),
                "processes[0].pagesScanned",
                        processes(process(10).replace("\"pagesScanned\": 10", "\"pagesScanned\": 3"), process(11)),
                "processes[0].pagesMoved",
                        processes(process(10).replace("\"pagesMoved\": 10", "\"pagesMoved\": -1"), process(11)),
                "processes[0].status",
                        processes(process(10).replace("\"status\": \"SUCCEEDED\"", "\"status\": null"), process(11)),
                "processes[1].moves", processes(process(10), process(11).replace("\"to\": 1", "\"to\": 0")),
                "processes[0].placementAfter",
                        processes(process(10).replace("{\"1\": 10}", "{\"7\": 10}"), process(11)),
                "processes[0].pagesSkipped[SHARED]",
                        processes(
                                process(10).replace("\"pagesSkipped\": {}", "\"pagesSkipped\": {\"SHARED\": -3}"),
                                process(11)));
        for (Map.Entry<String, String> result : bad.entrySet()) {
            Response refused = post(
                    "/api/v1/tasks/" + lease.taskId() + "/result",
                    AGENT_A,
                    "{\"epoch\": " + lease.epoch() + ", \"processes\": " + result.getValue() + "}");
            assertInvalid(refused, result.getKey());
        }

        assertThat(get("/api/v1/jobs/" + lease.jobId(), VIEWER).text()).isEqualTo(jobBefore);
        Response good = post(
                "/api/v1/tasks/" + lease.taskId() + "/result",
                AGENT_A,
                "{\"epoch\": " + lease.epoch() + ", \"processes\": " + processes(process(10), process(11)) + "}");
        assertThat(good.status()).as(good.text()).isEqualTo(200);
        assertThat(get("/api/v1/jobs/" + lease.jobId(), VIEWER)
                        .json()
                        .get("state")
                        .asString())
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void topologiesThatCannotBeAreRefusedAtRegistrationAndInHeartbeats() {
        Map<String, String> bad = Map.of(
                "topology.nodes[0].id", REGISTRATION.replace("{\"id\": 0,", "{\"id\": -1,"),
                "topology.nodes[1].id", REGISTRATION.replace("{\"id\": 1,", "{\"id\": 0,"),
                "topology.distances", REGISTRATION.replace("[[10, 20], [20, 10]]", "[[10, 20], [20]]"),
                "topology.nodes[0].freePages", REGISTRATION.replace("\"freePages\": 900", "\"freePages\": 1001"),
                "topology.nodes", """
                        {"backend": "simulated", "agentVersion": "test", "pageSize": 4096,
                         "topology": {"nodes": [], "distances": []}}""",
                "topology.nodes[1].cpus", REGISTRATION.replace("\"cpus\": [1]", "\"cpus\": [0]"),
                "pageSize", REGISTRATION.replace("4096", "5000"));
        String hostBefore = get("/api/v1/hosts/ha", VIEWER).json().get("nodes").toString();
        for (Map.Entry<String, String> registration : bad.entrySet()) {
            assertInvalid(post("/api/v1/agents/ha/register", AGENT_A, registration.getValue()), registration.getKey());
        }
        assertThat(get("/api/v1/hosts/ha", VIEWER).json().get("nodes").toString())
                .isEqualTo(hostBefore);

        Lease lease = leaseNewTask();
        String topology =
                JSON.readTree(bad.get("topology.distances")).get("topology").toString();
        assertInvalid(
                post("/api/v1/tasks/" + lease.taskId() + "/heartbeat", AGENT_A, """
                        {"epoch": %d, "topology": %s, "progress": {"processesTotal": 2, "processesDone": 0,
                         "pagesToMove": 0, "pagesMoved": 0, "pagesSkipped": 0, "pagesFailed": 0}}""".formatted(lease.epoch(), topology)),
                "topology.distances");
    }

    @Test
    void anotherHostsTokenIsRefusedBeforeItsBodyIsRead() {
        Lease lease = leaseNewTask();

        for (String call : List.of("heartbeat", "result", "release")) {
            assertProblem(post("/api/v1/tasks/" + lease.taskId() + "/" + call, AGENT_B, "{ not json"), 403, "EPERM");
            assertProblem(
                    post("/api/v1/tasks/" + lease.taskId() + "/" + call, AGENT_B, "{\"epoch\": [1]}"), 403, "EPERM");
        }
        assertProblem(post("/api/v1/agents/ha/register", AGENT_B, "{ not json"), 403, "EPERM");
        assertProblem(
                post("/api/v1/tasks/" + java.util.UUID.randomUUID() + "/result", AGENT_B, "{ not json"),
                404,
                "TASK_NOT_FOUND");
        assertProblem(post("/api/v1/tasks/not-a-task/result", AGENT_B, "{ not json"), 404, "TASK_NOT_FOUND");
        assertProblem(post("/api/v1/tasks/" + lease.taskId() + "/result", VIEWER, "{ not json"), 403, "EPERM");
    }

    @Test
    void aViewerCannotChangeJobsWhateverThePathLooksLike() {
        Response submitted = submit(JOB);
        String id = submitted.json().get("id").asString();
        String before = jobList();

        for (String path : List.of("/api/v1;x=y/jobs", "/api/v1/%6Aobs", "/api/v1/jobs;a=b", "/api/%76%31/jobs")) {
            assertProblem(post(path, VIEWER, JOB), 403, "EPERM");
        }
        for (String path : List.of("/api/v1/%6Aobs/" + id + "/cancel", "/api/v1;v=1/jobs/" + id + ";c=1/cancel")) {
            assertProblem(post(path, VIEWER, ""), 403, "EPERM");
        }
        assertProblem(post("/api/v1/%6Aobs/" + id + "/retry", AGENT_A, ""), 403, "EPERM");

        assertThat(jobList()).isEqualTo(before);
        assertThat(post("/api/v1/%6Aobs/" + id + "/cancel", OPERATOR, "").status())
                .as("the same path with an operator token reaches the handler")
                .isEqualTo(202);
    }

    // ---- what is stored never breaks a read ----

    @Test
    void storedDataThatCannotBeReadDoesNotBreakAnyRead() {
        Lease lease = leaseNewTask();
        post(
                "/api/v1/tasks/" + lease.taskId() + "/result",
                AGENT_A,
                "{\"epoch\": " + lease.epoch() + ", \"processes\": " + processes(process(10), process(11)) + "}");
        // What another version, or a hand, may have left in the columns.
        jdbc.update(
                "update tasks set results = ? where id = ?",
                "[{\"pid\": 10, \"status\": \"GONE\", \"moves\": null}]",
                java.util.UUID.fromString(lease.taskId()));
        jdbc.update("update hosts set topology = ? where name = ?", "{\"nodes\": 7}", "hb");

        assertThat(get("/api/v1/jobs", VIEWER).status()).isEqualTo(200);
        Response job = get("/api/v1/jobs/" + lease.jobId(), VIEWER);
        assertThat(job.status()).isEqualTo(200);
        assertThat(job.json().get("tasks").get(0).get("processes")).isEmpty();
        assertThat(get("/api/v1/hosts", VIEWER).status()).isEqualTo(200);
        assertThat(get("/api/v1/hosts/hb", VIEWER).status()).isEqualTo(200);
        Response events = send(
                request("/api/v1/jobs/" + lease.jobId() + "/events", VIEWER).GET());
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.text()).contains("event:job");
    }

    // ---- errors that no controller answers ----

    @Test
    void errorsOfTheWebServerItselfAreProblemsToo() throws IOException {
        List<String> requests = List.of(
                "GET /api/v1/jobs/%zz HTTP/1.1",
                "GET /api/v1/jobs?state=%C3%28 HTTP/1.1",
                "GET /api/v1/jobs/a%00b HTTP/1.1",
                "GET /api/v1/jobs HTTP/1.1\r\nX-Big: " + "a".repeat(20_000));
        for (String request : requests) {
            Response raw = raw(request + "\r\nHost: localhost\r\nAuthorization: Bearer " + VIEWER
                    + "\r\nConnection: close\r\n\r\n");
            assertProblem(raw, 400, "EINVAL");
        }
        assertProblem(get("/error", VIEWER), 404, "NOT_FOUND");
        assertProblem(get("/api/v1/nothing-here", VIEWER), 404, "NOT_FOUND");
        assertProblem(send(request("/api/v1/jobs", OPERATOR).DELETE()), 405, "EINVAL");
    }

    @Test
    void theOpenApiDocumentNamesRealSchemasEveryErrorAndTheBearerScheme() {
        JsonNode api = get("/v3/api-docs", VIEWER).json();

        List<String> schemas =
                new ArrayList<>(api.get("components").get("schemas").propertyNames());
        assertThat(schemas).doesNotContain("JsonNode", "ObjectNode", "SseEmitter", "ProblemDetail", "ResponseEntity");
        assertThat(schemas).contains("Problem", "SubmitJobBody", "JobView", "HostPage", "Lease", "Registration");
        assertThat(api.get("components")
                        .get("securitySchemes")
                        .get("bearer")
                        .get("scheme")
                        .asString())
                .isEqualTo("bearer");
        assertThat(api.get("security").toString()).contains("bearer");
        JsonNode submit = api.get("paths").get("/api/v1/jobs").get("post").get("responses");
        assertThat(submit.propertyNames())
                .contains("200", "201", "400", "401", "403", "406", "409", "413", "415", "422", "429", "503");
        assertThat(submit.get("422").get("content").has("application/problem+json"))
                .isTrue();
        assertThat(api.get("paths")
                        .get("/api/v1/jobs/{id}/cancel")
                        .get("post")
                        .get("responses")
                        .propertyNames())
                .contains("202", "404", "409");
        assertThat(api.get("paths")
                        .get("/api/v1/agents/{host}/lease")
                        .get("post")
                        .get("responses")
                        .propertyNames())
                .contains("200", "204");
        assertThat(api.get("paths").has("/error")).isFalse();
    }

    // ---- helpers ----

    private static String withOptions(String options) {
        return JOB.replace("\"newNodes\": [1]}", "\"newNodes\": [1], \"options\": " + options + "}");
    }

    private record Lease(String taskId, String jobId, long epoch) {}

    /** Submits a job for pids 10 and 11 of host ha and leases its task as ha's agent. */
    private Lease leaseNewTask() {
        Response submitted = submit(JOB);
        assertThat(submitted.status()).as(submitted.text()).isEqualTo(201);
        Response leased = post("/api/v1/agents/ha/lease?wait=5s", AGENT_A, "");
        assertThat(leased.status()).as(leased.text()).isEqualTo(200);
        JsonNode lease = leased.json();
        return new Lease(
                lease.get("taskId").asString(),
                lease.get("jobId").asString(),
                lease.get("epoch").asLong());
    }

    private static String processes(String... processes) {
        return "[" + String.join(", ", processes) + "]";
    }

    /** A process whose 10 pages all moved from node 0 to node 1. */
    private static String process(int pid) {
        return """
                {"pid": %d, "status": "SUCCEEDED", "errno": null, "message": null,
                 "pagesScanned": 10, "pagesMoved": 10, "pagesNotPresent": 0,
                 "pagesSkipped": {}, "pagesFailed": {}, "moves": [{"from": 0, "to": 1, "pages": 10}], "fallbacks": [],
                 "placementBefore": {"0": 10}, "placementAfter": {"1": 10}, "pagesLeftOnOldNodes": 0,
                 "contentDigestBefore": "d1", "contentDigestAfter": "d1", "policyBefore": null, "policyAfter": null,
                 "rolledBack": 0, "rollbackFailed": 0, "warnings": [], "estimatedSeconds": null, "vmas": []}""".formatted(pid);
    }

    private String jobList() {
        Response list = get("/api/v1/jobs?limit=500", VIEWER);
        assertThat(list.status()).isEqualTo(200);
        return list.text();
    }

    private Response submit(String body) {
        return post("/api/v1/jobs", OPERATOR, body);
    }

    /** A 400 EINVAL problem whose errors name {@code field} (when given). */
    private static void assertInvalid(Response response, String field) {
        assertProblem(response, 400, "EINVAL");
        if (field != null) {
            assertThat(response.json().get("errors").findValuesAsString("field"))
                    .as(response.text())
                    .contains(field);
        }
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).as(response.text()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("code").asString()).as(response.text()).isEqualTo(code);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString())
                .as("a detail in the words of the API")
                .doesNotContainPattern(JAVA);
        for (JsonNode error : problem.path("errors")) {
            assertThat(error.get("message").asString()).doesNotContainPattern(JAVA);
        }
    }

    private record Response(int status, String contentType, String text) {
        JsonNode json() {
            return JSON.readTree(text);
        }
    }

    private HttpRequest.Builder request(String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    private Response get(String path, String token) {
        return send(request(path, token).GET());
    }

    private Response post(String path, String token, String json) {
        return send(request(path, token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
                return new Response(response.statusCode(), "text/event-stream", response.body());
            }
            return new Response(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request written byte for byte, for what an HTTP client library refuses to send. */
    private Response raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            String contentType = head.lines()
                    .filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13))
                    .map(l -> l.substring(13).trim())
                    .findFirst()
                    .orElse("");
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("\r\n0\r\n"));
            }
            return new Response(status, contentType, body);
        }
    }
}
