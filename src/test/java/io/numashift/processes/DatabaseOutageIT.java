package io.numashift.processes;

import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.ProcessCluster.Service;
import io.numashift.service.Databases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped for a while under load, really stopped ({@code pg_ctlcluster … stop}, so that
 * open connections are terminated by the server as in an outage), then started again. Clients
 * submit (with idempotency keys), read and list all the while. While the database is down every
 * answer is 503, never another 5xx; the service recovers by itself; every submit that was
 * acknowledged is there, and a submit refused with 503 goes through when retried with its key.
 *
 * <p>It stops the machine's PostgreSQL, so it runs only as root with {@code pg_ctlcluster} (as in
 * CI) and starts the server again whatever happens.
 */
@Databases.RequiresPostgres
class DatabaseOutageIT {
    private static final Duration DOWN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void requestsGet503WhileThePostgresIsDownAndNothingIsLost() throws Exception {
        String cluster = postgresCluster();
        try (Databases.Schema schema = Databases.schema();
                ProcessCluster processes = new ProcessCluster(dir, "/scenarios/processes.yaml", List.of("fast"))) {
            Service service = processes.service("outage-pg", schema.properties());
            ProtocolClient client = service.client();
            processes.agent("outage-agent", "fast", List.of(service));
            service.awaitOnline("fast");

            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> refusedKeys = new ConcurrentLinkedQueue<>();
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
            Set<String> unexpected = ConcurrentHashMap.newKeySet();
            AtomicBoolean load = new AtomicBoolean(true);
            ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
            for (int c = 0; c < 4; c++) {
                clients.submit(() -> {
                    while (load.get()) {
                        String key = UUID.randomUUID().toString();
                        ProtocolClient.Response submitted = submit(client, key);
                        count(statuses, unexpected, "submit", submitted);
                        if (submitted.status() == 201) {
                            acknowledged.put(key, submitted.body().get("id").asString());
                            count(
                                    statuses,
                                    unexpected,
                                    "read",
                                    client.get(
                                            "/api/v1/jobs/"
                                                    + submitted.body().get("id").asString(),
                                            OPERATOR));
                        } else {
                            refusedKeys.add(key);
                        }
                        count(statuses, unexpected, "list", client.get("/api/v1/jobs?limit=20", OPERATOR));
                        Thread.sleep(50);
                    }
                    return null;
                });
            }
            Thread.sleep(3_000);
            int beforeOutage = acknowledged.size();
            pgctl(cluster, "stop");
            try {
                Thread.sleep(DOWN.toMillis());
            } finally {
                pgctl(cluster, "start");
            }
            await("the service answers submits again")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> submit(client, UUID.randomUUID().toString()).status() == 201);
            Thread.sleep(2_000);
            load.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            assertThat(unexpected).as("answers other than 2xx and 503").isEmpty();
            assertThat(statuses).as("requests met the outage").containsKey(503);
            assertThat(beforeOutage).isPositive();
            assertThat(client.get("/actuator/health/readiness", OPERATOR).status())
                    .isEqualTo(200);
            for (String id : acknowledged.values()) {
                assertThat(client.get("/api/v1/jobs/" + id, OPERATOR).status())
                        .as("acknowledged job %s", id)
                        .isEqualTo(200);
            }
            List<String> retried = new ArrayList<>();
            for (String key : refusedKeys) {
                ProtocolClient.Response again = submit(client, key);
                assertThat(again.status())
                        .as("retry of %s: %s", key, again.body())
                        .isIn(200, 201);
                retried.add(again.body().get("id").asString());
            }
            for (String id : acknowledged.values()) {
                await("job " + id + " completes")
                        .atMost(Duration.ofSeconds(60))
                        .until(() ->
                                client.job(id, OPERATOR).get("state").asString().equals("SUCCEEDED"));
            }
            assertThat(retried).doesNotHaveDuplicates();
        } finally {
            pgctl(cluster, "start");
        }
    }

    private static ProtocolClient.Response submit(ProtocolClient client, String key) {
        return client.post("/api/v1/jobs", OPERATOR, """
                {"name": "under outage", "targets": [{"hosts": ["fast"], "pids": [20]}],
                 "oldNodes": [0], "newNodes": [1]}""", Map.of("Idempotency-Key", key));
    }

    private static void count(
            Map<Integer, Integer> statuses, Set<String> unexpected, String what, ProtocolClient.Response response) {
        statuses.merge(response.status(), 1, Integer::sum);
        if (response.status() >= 300 && response.status() != 503) {
            unexpected.add(what + " " + response.status() + " " + response.body());
        }
        if (response.status() == 503) {
            assertThat(response.code()).isEqualTo("UNAVAILABLE");
        }
    }

    /** The local cluster's version, when this test may stop and start it. */
    private static String postgresCluster() throws IOException {
        Path clusters = Path.of("/etc/postgresql");
        boolean root = "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(
                root && Files.isDirectory(clusters) && Files.isExecutable(Path.of("/usr/bin/pg_ctlcluster")),
                "needs root and the local PostgreSQL cluster (pg_ctlcluster) to stop and start it");
        try (var versions = Files.list(clusters)) {
            return versions.map(p -> p.getFileName().toString())
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    private static void pgctl(String version, String action) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        int status = process.waitFor();
        // "start" of a running cluster answers 2; anything else is a failure.
        if (status != 0 && !(action.equals("start") && output.contains("already running"))) {
            throw new IllegalStateException("pg_ctlcluster " + action + " failed (" + status + "): " + output);
        }
        if (action.equals("start")) {
            await("PostgreSQL up")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> new ProcessBuilder("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432")
                                    .start()
                                    .waitFor()
                            == 0);
        }
    }
}
