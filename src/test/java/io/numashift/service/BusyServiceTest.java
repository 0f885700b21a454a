package io.numashift.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.NumashiftApplication;
import io.numashift.security.Tokens;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service whose connections are all taken is busy, not broken: it answers {@code 429 BUSY} with
 * {@code Retry-After}, not {@code 503} (which says the database is away), and answers again once a
 * connection comes free. The connections are held by the test itself, through the service's own
 * pool, on the real embedded database.
 */
class BusyServiceTest {
    @TempDir
    Path dataDir;

    @Test
    void aServiceWithEveryConnectionTakenAnswers429WithRetryAfterAndRecovers() throws Exception {
        try (ConfigurableApplicationContext service = SpringApplication.run(
                NumashiftApplication.class,
                "--server.port=0",
                "--numashift.data-dir=" + dataDir,
                "--numashift.sim.embedded-agents=false",
                "--spring.datasource.hikari.maximum-pool-size=2",
                "--spring.datasource.hikari.connection-timeout=250",
                "--numashift.security.tokens[0].name=viewer",
                "--numashift.security.tokens[0].sha256=" + Tokens.sha256Hex("busy-secret"),
                "--numashift.security.tokens[0].roles=VIEWER")) {
            ServiceClient client = new ServiceClient(
                    ((WebServerApplicationContext) service).getWebServer().getPort());
            assertThat(client.get("/api/v1/jobs", "busy-secret").status()).isEqualTo(200);

            List<Connection> taken = new ArrayList<>();
            DataSource pool = service.getBean(DataSource.class);
            try {
                taken.add(pool.getConnection());
                taken.add(pool.getConnection());

                ServiceClient.Response busy = client.get("/api/v1/jobs", "busy-secret");

                assertThat(busy.status()).isEqualTo(429);
                assertThat(busy.header("Retry-After")).isEqualTo("1");
                assertThat(busy.header("Content-Type")).startsWith("application/problem+json");
                assertThat(busy.body().get("code").asString()).isEqualTo("BUSY");
            } finally {
                for (Connection connection : taken) {
                    connection.close();
                }
            }
            assertThat(client.get("/api/v1/jobs", "busy-secret").status()).isEqualTo(200);
        }
    }
}
