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

/**
 * The default run (the demo cluster, served by embedded agents) reports itself ready only once its
 * agents have registered their hosts: a job that names the demo hosts the moment the service is
 * up is accepted, not refused {@code UNKNOWN_HOST} (which a fresh data folder used to answer for
 * the first moments).
 */
class DemoClusterReadyTest {
    @TempDir
    Path dataDir;

    @Test
    void aJobForTheDemoHostsIsAcceptedAsSoonAsTheServiceIsReady() {
        try (ConfigurableApplicationContext service = SpringApplication.run(
                NumashiftApplication.class,
                "--server.port=0",
                "--numashift.data-dir=" + dataDir,
                "--numashift.security.tokens[0].name=ops",
                "--numashift.security.tokens[0].sha256=" + Tokens.sha256Hex("demo-secret"),
                "--numashift.security.tokens[0].roles=OPERATOR")) {
            ServiceClient client = new ServiceClient(
                    ((WebServerApplicationContext) service).getWebServer().getPort());

            ServiceClient.Response submitted = client.post("/api/v1/jobs", "demo-secret", """
                    {"name": "at once", "targets": [{"hosts": ["n001", "n002", "n003"], "cpuset": "/batch/job42"}],
                     "oldNodes": [0, 1], "newNodes": [2, 3]}""");

            assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
            assertThat(client.get("/actuator/health/readiness", "demo-secret").status())
                    .isEqualTo(200);
        }
    }
}
