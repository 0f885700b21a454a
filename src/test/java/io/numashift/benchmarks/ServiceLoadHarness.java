package io.numashift.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's load generator: submit throughput (single-host jobs/s), status read latency with
 * 200 concurrent pollers, and dispatch latency (submit until the host's agent holds the lease).
 * It speaks the agent protocol itself for one host, so run the service with embedded agents off and
 * an agent token for that host:
 *
 * <pre>
 * java -cp ... io.numashift.benchmarks.ServiceLoadHarness http://127.0.0.1:8080 OPERATOR_SECRET AGENT_SECRET load1
 * </pre>
 *
 * <p>Given a second replica's URL as a seventh argument, it also times dispatch across replicas:
 * the agent waits on the first, the jobs are submitted through the second.
 *
 * Every loop is bounded in count and time, and the harness only talks to the URL it is given.
 */
public final class ServiceLoadHarness {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final URI base;
    private final String operator;
    private final String agent;
    private final String host;

    private ServiceLoadHarness(URI base, String operator, String agent, String host) {
        this.base = base;
        this.operator = operator;
        this.agent = agent;
        this.host = host;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ServiceLoadHarness BASE_URL OPERATOR_TOKEN AGENT_TOKEN HOST [submits] [seconds]"
                    + " [OTHER_REPLICA_URL]");
            System.exit(2);
        }
        int submits = args.length > 4 ? Integer.parseInt(args[4]) : 5000;
        int seconds = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        var harness = new ServiceLoadHarness(URI.create(args[0]), args[1], args[2], args[3]);
        harness.register();
        List<String> ids = harness.submitThroughput(submits, 64);
        harness.readLatency(ids, 200, Duration.ofSeconds(1), Duration.ofSeconds(seconds));
        harness.readLatency(ids, 200, Duration.ZERO, Duration.ofSeconds(seconds));
        harness.dispatchLatency(200, harness.base);
        if (args.length > 6) {
            // The first rounds warm up the other replica, which served nothing before.
            harness.dispatchLatency(200, URI.create(args[6]));
            harness.dispatchLatency(1_000, URI.create(args[6]));
        }
    }

    private void register() throws Exception {
        String body = """
                {"backend": "simulated", "agentVersion": "load", "pageSize": 4096,
                 "topology": {"nodes": [{"id": 0, "capacityPages": 1000, "freePages": 1000, "cpus": [0]},
                                        {"id": 1, "capacityPages": 1000, "freePages": 1000, "cpus": [1]}],
                              "distances": [[10, 20], [20, 10]]}}""";
        send("/api/v1/agents/" + host + "/register", agent, body);
    }

    /** A result of the job's one process: its page moved from node 0 to node 1. */
    private static String result(long epoch) {
        return """
                {"epoch": %d, "processes": [{"pid": 1, "status": "SUCCEEDED", "errno": null, "message": null,
                 "pagesScanned": 1, "pagesMoved": 1, "pagesNotPresent": 0, "pagesSkipped": {}, "pagesFailed": {},
                 "moves": [{"from": 0, "to": 1, "pages": 1}], "fallbacks": [], "placementBefore": {"0": 1},
                 "placementAfter": {"1": 1}, "pagesLeftOnOldNodes": 0, "contentDigestBefore": null,
                 "contentDigestAfter": null, "policyBefore": null, "policyAfter": null, "rolledBack": 0,
                 "rollbackFailed": 0, "warnings": [], "estimatedSeconds": null, "vmas": []}]}""".formatted(epoch);
    }

    private String job() {
        return "{\"targets\": [{\"hosts\": [\"" + host + "\"], \"pids\": [1]}], \"oldNodes\": [0], \"newNodes\": [1]}";
    }

    /** Submits {@code count} single-host jobs from {@code clients} concurrent clients. */
    private List<String> submitThroughput(int count, int clients) throws Exception {
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        AtomicLong next = new AtomicLong();
        long errors[] = new long[1];
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (next.getAndIncrement() < count) {
                        try {
                            HttpResponse<String> r = send("/api/v1/jobs", operator, job());
                            ids.add(JSON.readTree(r.body()).get("id").asString());
                        } catch (Exception e) {
                            synchronized (errors) {
                                errors[0]++;
                            }
                        }
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "submit: %d jobs in %.2f s = %.0f jobs/s (%d clients, %d errors)%n",
                ids.size(), elapsed, ids.size() / elapsed, clients, errors[0]);
        return new ArrayList<>(ids);
    }

    /**
     * {@code pollers} clients reading job status for {@code duration}, each once per {@code interval}
     * (as dashboards poll), or back to back when the interval is zero (the service's read capacity).
     */
    private void readLatency(List<String> ids, int pollers, Duration interval, Duration duration) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + duration.toNanos();
        CountDownLatch done = new CountDownLatch(pollers);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < pollers; p++) {
                int offset = p;
                pool.submit(() -> {
                    int i = offset;
                    Thread.sleep(interval.toMillis() * offset / pollers);
                    while (System.nanoTime() < end) {
                        String id = ids.get(i++ % ids.size());
                        if (!interval.isZero()) {
                            Thread.sleep(interval);
                        }
                        long t0 = System.nanoTime();
                        try {
                            get("/api/v1/jobs/" + id, operator);
                            latencies.add(System.nanoTime() - t0);
                        } catch (Exception e) {
                            latencies.add(Long.MAX_VALUE);
                        }
                    }
                    done.countDown();
                    return null;
                });
            }
            done.await();
        }
        report(
                "read (" + pollers + " pollers, "
                        + (interval.isZero() ? "back to back" : "every " + interval.toMillis() + " ms") + ")",
                new ArrayList<>(latencies),
                duration);
    }

    /**
     * Submits one job at a time through {@code submitTo} while an agent waits in a lease on this
     * harness's replica; times submit to lease.
     */
    private void dispatchLatency(int rounds, URI submitTo) throws Exception {
        // Drain what the throughput phase queued, so each lease below is the job just submitted.
        int drained = 0;
        while (drained < 1_000_000) {
            HttpResponse<String> response = send("/api/v1/agents/" + host + "/lease?wait=1ms", agent, "");
            if (response.statusCode() != 200) {
                break;
            }
            JsonNode body = JSON.readTree(response.body());
            send(
                    "/api/v1/tasks/" + body.get("taskId").asString() + "/result",
                    agent,
                    result(body.get("epoch").asLong()));
            drained++;
        }
        System.out.printf("drained %d queued tasks%n", drained);
        List<Long> latencies = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            var lease = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            HttpResponse<String> response =
                                    send("/api/v1/agents/" + host + "/lease?wait=10s", agent, "");
                            return new Object[] {System.nanoTime(), response};
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    Executors.newVirtualThreadPerTaskExecutor());
            Thread.sleep(20);
            long t0 = System.nanoTime();
            send(submitTo, "/api/v1/jobs", operator, job());
            Object[] result = lease.get();
            @SuppressWarnings("unchecked")
            HttpResponse<String> response = (HttpResponse<String>) result[1];
            if (response.statusCode() == 200) {
                JsonNode body = JSON.readTree(response.body());
                latencies.add(Math.max(0, (long) result[0] - t0));
                send(
                        "/api/v1/tasks/" + body.get("taskId").asString() + "/result",
                        agent,
                        result(body.get("epoch").asLong()));
            }
        }
        report(
                submitTo.equals(base)
                        ? "dispatch (submit -> lease)"
                        : "dispatch across replicas (submit to " + submitTo + " -> lease on " + base + ")",
                latencies,
                null);
    }

    private void report(String what, List<Long> latencies, Duration duration) {
        Collections.sort(latencies);
        long failed = latencies.stream().filter(l -> l == Long.MAX_VALUE).count();
        List<Long> ok = latencies.stream().filter(l -> l != Long.MAX_VALUE).toList();
        if (ok.isEmpty()) {
            System.out.println(what + ": no successful requests");
            return;
        }
        System.out.printf(
                "%s: %d requests%s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d failed%n",
                what,
                ok.size(),
                duration == null ? "" : String.format(" (%.0f/s)", ok.size() / (double) duration.toSeconds()),
                ok.get(ok.size() / 2) / 1e6,
                ok.get((int) (ok.size() * 0.99)) / 1e6,
                ok.getLast() / 1e6,
                failed);
    }

    private HttpResponse<String> send(String path, String token, String body) throws Exception {
        return send(base, path, token, body);
    }

    private HttpResponse<String> send(URI to, String path, String token, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(to.resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
