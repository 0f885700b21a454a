package io.numashift.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.security.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * The packaged service as a process of its own, with an embedded simulated agent for every host of
 * a scenario on the test class path, an operator and a viewer token: what clients of the API (the
 * command line, the dashboard) are tested against. {@link #start} returns once every host is
 * registered.
 */
public final class SimulatedClusterService implements AutoCloseable {
    public static final String OPERATOR = "sim-operator-secret";
    public static final String VIEWER = "sim-viewer-secret";

    private final JarProcess process;
    private final String url;
    private final ProtocolClient client;

    private SimulatedClusterService(JarProcess process, String url) {
        this.process = process;
        this.url = url;
        this.client = new ProtocolClient(URI.create(url));
    }

    /** Starts the service on a free port with its data in {@code dir} and waits for the scenario's hosts. */
    public static SimulatedClusterService start(String name, Path dir, String scenarioResource, int hosts) {
        Path scenario = dir.resolve("scenario.yaml");
        try (InputStream in = SimulatedClusterService.class.getResourceAsStream(scenarioResource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + scenarioResource);
            }
            Files.copy(in, scenario, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(name, dir, scenario, hosts);
    }

    /** The same, with the scenario in a file. */
    public static SimulatedClusterService start(String name, Path dir, Path scenario, int hosts) {
        int port = ProcessCluster.freePort();
        SimulatedClusterService service = new SimulatedClusterService(
                JarProcess.start(
                        name,
                        List.of(
                                "--server.port=" + port,
                                "--numashift.data-dir=" + dir.resolve("data"),
                                "--numashift.sim.scenario=file:" + scenario,
                                "--numashift.security.tokens[0].name=operator",
                                "--numashift.security.tokens[0].sha256=" + Tokens.sha256Hex(OPERATOR),
                                "--numashift.security.tokens[0].roles=OPERATOR",
                                "--numashift.security.tokens[1].name=viewer",
                                "--numashift.security.tokens[1].sha256=" + Tokens.sha256Hex(VIEWER),
                                "--numashift.security.tokens[1].roles=VIEWER")),
                "http://127.0.0.1:" + port);
        try {
            await(hosts + " hosts registered")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> {
                        assertThat(service.process.isAlive())
                                .as(service.process.output())
                                .isTrue();
                        return service.get("/api/v1/hosts?limit=500")
                                        .path("items")
                                        .size()
                                == hosts;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; " + service.process.dumpThreads(), e);
        }
        return service;
    }

    /** The service's base URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return url;
    }

    /** A GET with the viewer's token; the body, or an assertion error naming the status. */
    public JsonNode get(String path) {
        return body(client.get(path, VIEWER));
    }

    /** A POST of a JSON body with the operator's token. */
    public JsonNode post(String path, String body) {
        return body(client.post(path, OPERATOR, body));
    }

    private static JsonNode body(ProtocolClient.Response response) {
        assertThat(response.status()).as("%s", response.body()).isBetween(200, 299);
        return response.body();
    }

    @Override
    public void close() {
        process.close();
    }
}
