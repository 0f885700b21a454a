package io.numashift.service;

import static org.awaitility.Awaitility.await;

import io.numashift.security.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for end-to-end tests: real requests to the running service. */
final class ServiceClient {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;

    ServiceClient(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    record Response(int status, JsonNode body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Response get(String path, String token) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), token);
    }

    Response post(String path, String token, String json) {
        return post(path, token, json, null);
    }

    Response post(String path, String token, String json, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request, token);
    }

    HttpResponse<String> raw(HttpRequest.Builder request, String token) {
        try {
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return http.send(request.timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    /** Reads a job until it has ended, and answers it as it ended. */
    JsonNode awaitEnd(String id, String token, Duration within) {
        JsonNode[] job = new JsonNode[1];
        await().atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> {
            job[0] = get("/api/v1/jobs/" + id, token).body();
            return ENDED.contains(job[0].get("state").asString());
        });
        return job[0];
    }

    /** Waits until this many hosts have registered. */
    void awaitHosts(int count, String token) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get("/api/v1/hosts", token).body().get("items").size() == count);
    }

    /** Registers two tokens with the service: {@code ops} an operator's, {@code dashboard} a viewer's. */
    static void tokens(DynamicPropertyRegistry registry, String operator, String viewer) {
        registry.add("numashift.security.tokens[0].name", () -> "ops");
        registry.add("numashift.security.tokens[0].sha256", () -> Tokens.sha256Hex(operator));
        registry.add("numashift.security.tokens[0].roles", () -> "OPERATOR");
        registry.add("numashift.security.tokens[1].name", () -> "dashboard");
        registry.add("numashift.security.tokens[1].sha256", () -> Tokens.sha256Hex(viewer));
        registry.add("numashift.security.tokens[1].roles", () -> "VIEWER");
    }

    private static final List<String> ENDED = List.of("SUCCEEDED", "PARTIALLY_FAILED", "FAILED", "CANCELLED");

    private Response send(HttpRequest.Builder request, String token) {
        HttpResponse<String> response = raw(request, token);
        JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        return new Response(response.statusCode(), body, response);
    }
}
