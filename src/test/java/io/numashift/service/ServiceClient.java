package io.numashift.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

    private Response send(HttpRequest.Builder request, String token) {
        HttpResponse<String> response = raw(request, token);
        JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        return new Response(response.statusCode(), body, response);
    }
}
