package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's HTTP API as the dispatch tests speak it: each call of the agent protocol, made
 * one at a time by the test in place of an agent, and the few operator calls that give agents
 * work. Every call answers its status, so that tests can check refusals.
 */
public final class ProtocolClient {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A two-node host, as an agent registers it. */
    private static final String REGISTRATION = """
            {"backend": "simulated", "agentVersion": "test", "pageSize": 4096,
             "topology": {"nodes": [{"id": 0, "capacityPages": 1000, "freePages": 900, "cpus": [0]},
                                    {"id": 1, "capacityPages": 1000, "freePages": 1000, "cpus": [1]}],
                          "distances": [[10, 20], [20, 10]]}}""";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI base;

    public ProtocolClient(int port) {
        this(URI.create("http://127.0.0.1:" + port));
    }

    public ProtocolClient(URI base) {
        this.base = base;
    }

    /**
     * An answer of the service.
     *
     * @param status the HTTP status
     * @param body the JSON body, or a null node when there is none
     */
    public record Response(int status, JsonNode body) {
        /** The problem's {@code code}. */
        public String code() {
            return body.path("code").asString();
        }
    }

    // ---- the agent protocol ----

    public Response register(String host, String token) {
        return post("/api/v1/agents/" + host + "/register", token, REGISTRATION);
    }

    /** A lease request that waits up to {@code wait} (e.g. {@code 0ms}, {@code 30s}) for a task. */
    public Response lease(String host, String token, String wait) {
        return post("/api/v1/agents/" + host + "/lease?wait=" + wait, token, "");
    }

    public Response heartbeat(String taskId, long epoch, String token) {
        return post("/api/v1/tasks/" + taskId + "/heartbeat", token, """
                {"epoch": %d, "topology": null,
                 "progress": {"processesTotal": 1, "processesDone": 0, "pagesToMove": 10,
                              "pagesMoved": 5, "pagesSkipped": 0, "pagesFailed": 0}}""".formatted(epoch));
    }

    /** Gives a task back unfinished. */
    public Response release(String taskId, long epoch, String token) {
        return post("/api/v1/tasks/" + taskId + "/release", token, "{\"epoch\": %d}".formatted(epoch));
    }

    /** Reports a task's result; {@code processes} are the JSON objects of {@link #succeeded}, {@link #cancelled}. */
    public Response result(String taskId, long epoch, String token, String... processes) {
        return post("/api/v1/tasks/" + taskId + "/result", token, """
                {"epoch": %d, "error": null, "message": null, "processes": [%s]}""".formatted(epoch, String.join(", ", processes)));
    }

    /** A process whose 10 pages all moved from node 0 to node 1. */
    public static String succeeded(int pid) {
        return process(pid, "SUCCEEDED", "null", 10, "{\"from\": 0, \"to\": 1, \"pages\": 10}", "{\"1\": 10}", 0);
    }

    /** A process that the cancel stopped before it moved anything. */
    public static String cancelled(int pid) {
        return process(pid, "CANCELLED", "\"cancelled before it started\"", 0, "", "{\"0\": 10}", 10);
    }

    private static String process(
            int pid, String status, String message, int moved, String moves, String placementAfter, int left) {
        return """
                {"pid": %d, "status": "%s", "errno": null, "message": %s,
                 "pagesScanned": 10, "pagesMoved": %d, "pagesNotPresent": 0,
                 "pagesSkipped": {}, "pagesFailed": {}, "moves": [%s], "fallbacks": [],
                 "placementBefore": {"0": 10}, "placementAfter": %s, "pagesLeftOnOldNodes": %d,
                 "contentDigestBefore": "d1", "contentDigestAfter": "d1", "policyBefore": null, "policyAfter": null,
                 "rolledBack": 0, "rollbackFailed": 0, "warnings": [], "estimatedSeconds": null, "vmas": []}""".formatted(pid, status, message, moved, moves, placementAfter, left);
    }

    // ---- what operators and viewers do ----

    /** Submits a job for these processes of one host and answers its id. */
    public String submit(String token, String host, int... pids) {
        Response submitted = post("/api/v1/jobs", token, """
                {"name": "dispatch test", "targets": [{"hosts": ["%s"], "pids": [%s]}],
                 "oldNodes": [0], "newNodes": [1]}""".formatted(
                        host, Arrays.stream(pids).mapToObj(Integer::toString).collect(Collectors.joining(", "))));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
        return submitted.body().get("id").asString();
    }

    public JsonNode job(String id, String token) {
        return get("/api/v1/jobs/" + id, token).body();
    }

    /**
     * Whether a job, as read, has ended or is ending: it is no longer {@code QUEUED} or {@code
     * RUNNING}, so a {@code CANCELLING} job counts as ended here.
     */
    public static boolean ended(JsonNode job) {
        return !List.of("QUEUED", "RUNNING").contains(job.get("state").asString());
    }

    /** Reads the job until it has ended, for at most {@code atMost}; answers it as it ended. */
    public JsonNode awaitEnd(String id, String token, Duration atMost) {
        return await("job " + id)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> job(id, token), ProtocolClient::ended);
    }

    /** Answers once the job's version exceeds {@code index}, or after {@code wait} (the blocking read). */
    public JsonNode jobAfter(String id, long index, String wait, String token) {
        return get("/api/v1/jobs/" + id + "?index=" + index + "&wait=" + wait, token)
                .body();
    }

    public Response cancel(String id, String token) {
        return post("/api/v1/jobs/" + id + "/cancel", token, "");
    }

    public JsonNode host(String name, String token) {
        return get("/api/v1/hosts/" + name, token).body();
    }

    // ---- HTTP ----

    public Response get(String path, String token) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), token);
    }

    public Response post(String path, String token, String json) {
        return post(path, token, json, Map.of());
    }

    public Response post(String path, String token, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(request, token);
    }

    private Response send(HttpRequest.Builder request, String token) {
        try {
            HttpResponse<String> response = http.send(
                    request.header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(90))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
