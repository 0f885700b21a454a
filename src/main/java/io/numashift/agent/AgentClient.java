package io.numashift.agent;

import io.numashift.protocol.Heartbeat;
import io.numashift.protocol.HeartbeatAnswer;
import io.numashift.protocol.Lease;
import io.numashift.protocol.Registration;
import io.numashift.protocol.Release;
import io.numashift.protocol.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent protocol over HTTP, from the agent's side. Given several service URLs (replicas), it
 * sends to one and moves to the next when that one cannot be reached or answers that it is
 * unavailable; the caller's retry then goes to the next replica.
 */
public final class AgentClient {
    /** The service answered with an HTTP status the caller must act on. */
    public static final class RefusedException extends IOException {
        private final int status;
        private final Optional<Duration> retryAfter;

        RefusedException(int status, String body, Optional<Duration> retryAfter) {
            super("HTTP " + status + ": " + body);
            this.status = status;
            this.retryAfter = retryAfter;
        }

        public int status() {
            return status;
        }

        /** When the service asked to be called again ({@code Retry-After} in seconds), if it did. */
        public Optional<Duration> retryAfter() {
            return retryAfter;
        }
    }

    /**
     * Runs the client's response handling. The client's default pool keeps idle threads for a
     * minute; an idle agent makes one request per long poll, so its threads end after a second.
     */
    private static final Executor EXECUTOR = new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            1,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            Thread.ofPlatform().name("agent-http-", 0).daemon(true).factory());

    private final List<URI> bases;
    private final AtomicInteger current = new AtomicInteger();
    private final String token;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();

    public AgentClient(URI base, String token) {
        this(List.of(base), token);
    }

    public AgentClient(List<URI> bases, String token) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("no service URL");
        }
        this.bases = List.copyOf(bases);
        this.token = token;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .executor(EXECUTOR)
                .build();
    }

    /** Registers the host and answers how often the service wants heartbeats. */
    public Duration register(String host, Registration registration) throws IOException, InterruptedException {
        HttpResponse<String> response =
                post("/api/v1/agents/" + host + "/register", registration, Duration.ofSeconds(30));
        return Duration.parse(
                json.readTree(response.body()).path("heartbeatInterval").asString("PT1S"));
    }

    /** Waits up to {@code wait} for a task of the host. */
    public Optional<Lease> lease(String host, Duration wait) throws IOException, InterruptedException {
        HttpResponse<String> response =
                post("/api/v1/agents/" + host + "/lease?wait=" + wait.toMillis() + "ms", null, wait.plusSeconds(30));
        if (response.statusCode() == 204) {
            return Optional.empty();
        }
        return Optional.of(json.readValue(response.body(), Lease.class));
    }

    public HeartbeatAnswer heartbeat(UUID taskId, Heartbeat heartbeat) throws IOException, InterruptedException {
        HttpResponse<String> response =
                post("/api/v1/tasks/" + taskId + "/heartbeat", heartbeat, Duration.ofSeconds(30));
        return json.readValue(response.body(), HeartbeatAnswer.class);
    }

    public void result(UUID taskId, Result result) throws IOException, InterruptedException {
        post("/api/v1/tasks/" + taskId + "/result", result, Duration.ofSeconds(60));
    }

    /** Gives a task back unfinished, so that it is offered again at once. */
    public void release(UUID taskId, long epoch) throws IOException, InterruptedException {
        post("/api/v1/tasks/" + taskId + "/release", new Release(epoch), Duration.ofSeconds(10));
    }

    /** The service URL in use now. */
    public URI base() {
        return bases.get(current.get());
    }

    private HttpResponse<String> post(String path, Object body, Duration timeout)
            throws IOException, InterruptedException {
        int used = current.get();
        try {
            HttpResponse<String> response = send(bases.get(used), path, body, timeout);
            if (response.statusCode() == 502 || response.statusCode() == 503 || response.statusCode() == 504) {
                next(used);
            }
            if (response.statusCode() >= 300) {
                throw new RefusedException(response.statusCode(), response.body(), retryAfter(response));
            }
            return response;
        } catch (RefusedException e) {
            throw e;
        } catch (IOException e) {
            next(used);
            throw e;
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .filter(value -> value.matches("\\d{1,4}"))
                .map(value -> Duration.ofSeconds(Integer.parseInt(value)));
    }

    private void next(int used) {
        current.compareAndSet(used, (used + 1) % bases.size());
    }

    private HttpResponse<String> send(URI base, String path, Object body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
