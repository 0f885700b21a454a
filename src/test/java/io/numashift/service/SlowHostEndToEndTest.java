package io.numashift.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.security.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The service with embedded simulated agents on hosts whose copies are slow (2,000 pages/s, a
 * process of 60,000 pages: 30 s for the whole move), driven over HTTP: the engine's batches are
 * bounded in time, so progress shows while the job runs and a cancel stops it mid-process.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SlowHostEndToEndTest {
    static final String OPERATOR = "operator-secret";
    static final long PAGES = 60_000;

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        registry.add("numashift.sim.scenario", () -> "classpath:scenarios/slow-host.yaml");
        registry.add("numashift.dispatch.heartbeat-interval", () -> "250ms");
        registry.add("numashift.security.tokens[0].name", () -> "ops");
        registry.add("numashift.security.tokens[0].sha256", () -> Tokens.sha256Hex(OPERATOR));
        registry.add("numashift.security.tokens[0].roles", () -> "OPERATOR");
    }

    @LocalServerPort
    int port;

    ServiceClient client;

    @BeforeEach
    void agentsRegistered() {
        client = new ServiceClient(port);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.get("/api/v1/hosts", OPERATOR)
                                .body()
                                .get("items")
                                .size()
                        == 2);
    }

    private String submit(String host) {
        ServiceClient.Response submitted = client.post("/api/v1/jobs", OPERATOR, """
                {"targets": [{"hosts": ["%s"], "pids": [10]}], "oldNodes": [0], "newNodes": [1]}""".formatted(host));
        assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(201);
        return submitted.body().get("id").asString();
    }

    private JsonNode job(String id) {
        return client.get("/api/v1/jobs/" + id, OPERATOR).body();
    }

    private JsonNode awaitEnd(String id, Duration within) {
        return client.awaitEnd(id, OPERATOR, within);
    }

    @Test
    void progressShowsWhileTheJobIsStillRunning() {
        String id = submit("slow-progress");

        JsonNode[] seen = new JsonNode[1];
        await("pages moved while RUNNING")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    seen[0] = job(id);
                    return seen[0].get("state").asString().equals("RUNNING")
                            && seen[0].get("progress").get("pagesMoved").asLong() > 0;
                });

        assertThat(seen[0].get("progress").get("pagesMoved").asLong()).isLessThan(PAGES);
        assertThat(seen[0].get("progress").get("percent").asDouble()).isBetween(0.0, 100.0);
        client.post("/api/v1/jobs/" + id + "/cancel", OPERATOR, "");
        awaitEnd(id, Duration.ofSeconds(15));
    }

    @Test
    void aCancelTwoSecondsInEndsTheJobCancelledWithPartOfItsPagesMoved() throws InterruptedException {
        String id = submit("slow-cancel");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> job(id).get("state").asString().equals("RUNNING"));
        Thread.sleep(2_000);

        ServiceClient.Response cancel = client.post("/api/v1/jobs/" + id + "/cancel", OPERATOR, "");

        assertThat(cancel.status()).isEqualTo(202);
        JsonNode job = awaitEnd(id, Duration.ofSeconds(15));
        assertThat(job.get("state").asString()).isEqualTo("CANCELLED");
        JsonNode process = job.get("tasks").get(0).get("processes").get(0);
        assertThat(process.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(process.get("pagesMoved").asLong())
                .as("stopped mid-process, long before the 30 s of the whole move")
                .isBetween(1L, PAGES - 1);
        assertThat(process.get("pagesLeftOnOldNodes").asLong())
                .isEqualTo(PAGES - process.get("pagesMoved").asLong());
    }
}
