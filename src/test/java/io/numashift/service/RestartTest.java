package io.numashift.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.NumashiftApplication;
import io.numashift.security.Tokens;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** The default embedded database lives in the data directory: a restarted service still has every job. */
class RestartTest {
    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return SpringApplication.run(
                NumashiftApplication.class,
                "--server.port=0",
                "--numashift.data-dir=" + dataDir,
                "--numashift.sim.scenario=classpath:scenarios/e2e.yaml",
                "--numashift.security.tokens[0].name=ops",
                "--numashift.security.tokens[0].sha256=" + Tokens.sha256Hex("restart-secret"),
                "--numashift.security.tokens[0].roles=OPERATOR");
    }

    private static ServiceClient client(ConfigurableApplicationContext context) {
        return new ServiceClient(
                ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    @Test
    void aRestartedServiceStillHasEveryJobAndItsResults() {
        String id;
        JsonNode before;
        try (ConfigurableApplicationContext first = start()) {
            ServiceClient client = client(first);
            org.awaitility.Awaitility.await()
                    .until(() -> client.get("/api/v1/hosts", "restart-secret")
                                    .body()
                                    .get("items")
                                    .size()
                            == 3);
            id = client.post("/api/v1/jobs", "restart-secret", """
                            {"labels": {"run": "first"}, "targets": [{"hosts": ["h2"], "pids": [200]}],
                             "oldNodes": [0, 1], "newNodes": [1, 0]}""")
                    .body()
                    .get("id")
                    .asString();
            org.awaitility.Awaitility.await()
                    .until(() -> client.get("/api/v1/jobs/" + id, "restart-secret")
                            .body()
                            .get("state")
                            .asString()
                            .equals("SUCCEEDED"));
            before = client.get("/api/v1/jobs/" + id, "restart-secret").body();
        }

        try (ConfigurableApplicationContext second = start()) {
            JsonNode after =
                    client(second).get("/api/v1/jobs/" + id, "restart-secret").body();

            assertThat(after).isEqualTo(before);
            assertThat(after.get("tasks")
                            .get(0)
                            .get("processes")
                            .get(0)
                            .get("pagesMoved")
                            .asLong())
                    .isEqualTo(1000);
        }
    }
}
