package io.numashift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.JarProcess;
import io.numashift.processes.ProcessCluster;
import io.numashift.security.Tokens;
import io.numashift.service.Databases;
import io.numashift.testing.Commands;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The image, the compose cluster and Testcontainers, run for real with podman (there is no Docker
 * engine here): {@code src/test/containers/podman-images} prepares podman and the base images that
 * {@code docker/Dockerfile} and {@code docker/compose.yaml} name, built locally; the test builds
 * the project's image from {@code docker/Dockerfile} as it is, runs the service in it, an agent
 * container beside it, the compose file's two replicas on PostgreSQL, and a Testcontainers
 * PostgreSQL through podman's Docker-compatible API. Containers are reached only through ports
 * published on 127.0.0.1. Without podman (or not as root) the tests are skipped, unless {@code
 * NUMASHIFT_REQUIRE_CONTAINERS=true} (as CI sets it).
 */
class ContainersIT {
    private static final String IMAGE = "localhost/numashift:it";
    private static final String PREFIX =
            "numashift-it-" + ProcessHandle.current().pid();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, String> ENV = new HashMap<>();

    @BeforeAll
    static void buildTheImage() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean podman =
                Files.isExecutable(Path.of("/usr/bin/podman")) || Files.isExecutable(Path.of("/usr/bin/apt-get"));
        String missing = !root ? "the container tests run rootful podman, as root" : !podman ? "no podman" : null;
        if (missing != null && "true".equals(System.getenv("NUMASHIFT_REQUIRE_CONTAINERS"))) {
            throw new IllegalStateException("NUMASHIFT_REQUIRE_CONTAINERS is set but " + missing);
        }
        Assumptions.assumeTrue(missing == null, missing);
        for (String line : Commands.run(
                        Map.of(), Duration.ofMinutes(15), "src/test/containers/podman-images", "--print-env")
                .lines()
                .toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Z_]+")) {
                ENV.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        podman(Duration.ofMinutes(15), "build", "--pull=never", "-q", "-f", "docker/Dockerfile", "-t", IMAGE, ".");
    }

    @AfterAll
    static void removeWhatWasStarted() {
        if (ENV.isEmpty()) {
            return;
        }
        String containers = podmanQuietly("ps", "-aq", "--filter", "name=" + PREFIX);
        for (String id : containers.lines().filter(l -> !l.isBlank()).toList()) {
            podmanQuietly("rm", "-f", "-t", "2", id);
        }
        podmanQuietly("network", "rm", "-f", PREFIX + "-net");
        podmanQuietly("volume", "rm", "-f", PREFIX + "-data");
    }

    @Test
    void theServiceRunsInTheImageUnprivilegedAndItsDataSurvivesARestartOfTheContainer() {
        String name = PREFIX + "-service";
        int port = ProcessCluster.freePort();
        podman(
                Duration.ofMinutes(1),
                "run",
                "-d",
                "--name",
                name,
                "-p",
                "127.0.0.1:" + port + ":8080",
                "-v",
                PREFIX + "-data:/var/lib/numashift",
                IMAGE);
        String url = "http://127.0.0.1:" + port;
        awaitReady(url, name);

        assertThat(podman(Duration.ofSeconds(30), "exec", name, "id", "-u").strip())
                .as("the service's user")
                .isEqualTo("10001");
        String token = podman(Duration.ofSeconds(30), "exec", name, "cat", "/var/lib/numashift/operator.token")
                .strip();
        await("the demo hosts")
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> get(url, "/api/v1/hosts", token).path("items").size() == 3);
        String cli =
                podman(Duration.ofMinutes(1), "exec", "-e", "NUMASHIFT_TOKEN=" + token, name, "numashift", "hosts");
        assertThat(cli)
                .as("the command line installed in the image")
                .contains("n001")
                .contains("ONLINE");

        String id = post(url, "/api/v1/jobs", token, """
                        {"name": "before the restart", "targets": [{"hosts": ["n001"], "cpuset": "/batch/job42"}],
                         "oldNodes": [0, 1], "newNodes": [2, 3], "options": {"dryRun": true}}""").path("id").asString();
        JsonNode before = await("the dry run done")
                .atMost(Duration.ofSeconds(90))
                .ignoreExceptions()
                .until(
                        () -> get(url, "/api/v1/jobs/" + id, token),
                        j -> j.path("finishedAt").isString());

        podman(Duration.ofMinutes(1), "restart", "-t", "10", name);
        awaitReady(url, name);

        assertThat(podman(Duration.ofSeconds(30), "exec", name, "cat", "/var/lib/numashift/operator.token")
                        .strip())
                .as("the token kept on the volume")
                .isEqualTo(token);
        JsonNode job = get(url, "/api/v1/jobs/" + id, token);
        assertThat(job.path("name").asString()).isEqualTo("before the restart");
        assertThat(job.path("state").asString()).isEqualTo(before.path("state").asString());
        assertThat(job.path("tasks")).isEqualTo(before.path("tasks"));
    }

    @Test
    void anAgentContainerServesItsHostForAServiceContainer() {
        String net = PREFIX + "-net";
        podman(Duration.ofSeconds(30), "network", "create", net);
        String operator = "containers-operator-secret";
        String agent = "containers-agent-secret";
        int port = ProcessCluster.freePort();
        String service = PREFIX + "-lone-service";
        podman(
                Duration.ofMinutes(1),
                "run",
                "-d",
                "--name",
                service,
                "--network",
                net,
                "-p",
                "127.0.0.1:" + port + ":8080",
                "-e",
                "NUMASHIFT_SIM_EMBEDDED_AGENTS=false",
                "-e",
                "NUMASHIFT_SECURITY_TOKENS_0_NAME=operator",
                "-e",
                "NUMASHIFT_SECURITY_TOKENS_0_SHA256=" + Tokens.sha256Hex(operator),
                "-e",
                "NUMASHIFT_SECURITY_TOKENS_0_ROLES=OPERATOR",
                "-e",
                "NUMASHIFT_SECURITY_TOKENS_1_NAME=agent-n002",
                "-e",
                "NUMASHIFT_SECURITY_TOKENS_1_SHA256=" + Tokens.sha256Hex(agent),
                "-e",
                "NUMASHIFT_SECURITY_TOKENS_1_ROLES=AGENT",
                "-e",
                "NUMASHIFT_SECURITY_TOKENS_1_HOSTS=n002",
                IMAGE);
        String url = "http://127.0.0.1:" + port;
        // Not ready before an agent is online (readiness includes one): live is all the agent needs.
        awaitProbe(url, service, "liveness");
        podman(
                Duration.ofMinutes(1),
                "run",
                "-d",
                "--name",
                PREFIX + "-agent",
                "--network",
                net,
                "-e",
                "NUMASHIFT_MODE=agent",
                "-e",
                "NUMASHIFT_AGENT_BACKEND=simulated",
                "-e",
                "NUMASHIFT_AGENT_HOST=n002",
                "-e",
                "NUMASHIFT_AGENT_TOKEN=" + agent,
                "-e",
                "NUMASHIFT_AGENT_ORCHESTRATOR_URL=http://" + service + ":8080",
                IMAGE);

        await("n002 online through the agent container")
                .atMost(Duration.ofSeconds(90))
                .ignoreExceptions()
                .until(() -> get(url, "/api/v1/hosts/n002", operator)
                        .path("state")
                        .asString()
                        .equals("ONLINE"));
        assertThat(get(url, "/api/v1/hosts/n002", operator).path("backend").asString())
                .isEqualTo("simulated");
        String id = post(url, "/api/v1/jobs", operator, """
                        {"targets": [{"hosts": ["n002"], "cpuset": "/batch/job42"}], "oldNodes": [0, 1], "newNodes": [2, 3]}""").path("id").asString();
        JsonNode job = await("the job on n002 ended")
                .atMost(Duration.ofSeconds(90))
                .ignoreExceptions()
                .until(
                        () -> get(url, "/api/v1/jobs/" + id, operator),
                        j -> j.path("finishedAt").isString());
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("PARTIALLY_FAILED");
        assertThat(job.path("progress").path("pagesMoved").asLong()).isPositive();
    }

    @Test
    void theComposeFileRunsTwoReplicasOnPostgresAndAJobSubmittedToOneIsReadFromTheOther() throws IOException {
        // The compose file builds numashift:dev; the image built above is that build.
        podman(Duration.ofSeconds(30), "tag", IMAGE, "localhost/numashift:dev");
        String project = PREFIX.replace("-", "");
        String compose = Path.of("docker", "compose.yaml").toString();
        String operator = composeSecret("operator");
        try {
            compose(Duration.ofMinutes(5), "-f", compose, "-p", project, "up", "-d");
            for (String url : List.of("http://127.0.0.1:8080", "http://127.0.0.1:8081")) {
                await(url + " ready on PostgreSQL")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(1))
                        .ignoreExceptions()
                        .until(() -> status(url + "/actuator/health/readiness") == 200);
            }
            await("n001, n002, n003 online through the compose file's agents")
                    .atMost(Duration.ofMinutes(2))
                    .ignoreExceptions()
                    .until(() -> {
                        JsonNode hosts = get("http://127.0.0.1:8081", "/api/v1/hosts", operator);
                        List<String> online = new ArrayList<>();
                        hosts.path("items").forEach(h -> {
                            if (h.path("state").asString().equals("ONLINE")) {
                                online.add(h.path("name").asString());
                            }
                        });
                        return online.containsAll(List.of("n001", "n002", "n003"));
                    });

            String id = post("http://127.0.0.1:8080", "/api/v1/jobs", operator, """
                            {"name": "seen from both", "targets": [{"hosts": ["n001", "n002", "n003"], "cpuset": "/batch/job42"}],
                             "oldNodes": [0, 1], "newNodes": [2, 3]}""")
                    .path("id")
                    .asString();
            JsonNode fromTheOther = await("the job, read from replica 2")
                    .atMost(Duration.ofMinutes(2))
                    .ignoreExceptions()
                    .until(
                            () -> get("http://127.0.0.1:8081", "/api/v1/jobs/" + id, operator),
                            j -> j.path("finishedAt").isString());
            assertThat(fromTheOther.path("name").asString()).isEqualTo("seen from both");
            assertThat(fromTheOther.path("state").asString()).isEqualTo("PARTIALLY_FAILED");
            assertThat(fromTheOther.path("tasks")).hasSize(3);
        } finally {
            composeQuietly("-f", compose, "-p", project, "down", "-v", "-t", "5");
        }
    }

    @Test
    void testcontainersStartsPostgresThroughPodmanAndTheServiceRunsOnIt() throws IOException {
        // Testcontainers reads DOCKER_HOST from the environment, which .ci/run exports from
        // podman-images; on a machine without it, this check says what is missing.
        Assumptions.assumeTrue(
                ENV.get("DOCKER_HOST") != null && ENV.get("DOCKER_HOST").equals(System.getenv("DOCKER_HOST"))
                        || "true".equals(System.getenv("NUMASHIFT_REQUIRE_CONTAINERS")),
                "DOCKER_HOST is not podman's socket: eval \"$(src/test/containers/podman-images --print-env"
                        + " | sed 's/^/export /')\" first");
        Databases.Server postgres = Databases.container();
        assertThat(postgres.description()).startsWith("Testcontainers");

        int port = ProcessCluster.freePort();
        Path data = Files.createTempDirectory("numashift-tc");
        try (JarProcess service = JarProcess.start(
                "testcontainers-service",
                List.of(
                        "--server.port=" + port,
                        "--numashift.data-dir=" + data,
                        "--spring.datasource.url=" + postgres.jdbcUrl(),
                        "--spring.datasource.username=" + postgres.username(),
                        "--spring.datasource.password=" + postgres.password(),
                        "--numashift.security.tokens[0].name=operator",
                        "--numashift.security.tokens[0].sha256=" + Tokens.sha256Hex("tc-operator"),
                        "--numashift.security.tokens[0].roles=OPERATOR"))) {
            String url = "http://127.0.0.1:" + port;
            await("the service on the container's PostgreSQL")
                    .atMost(Duration.ofMinutes(2))
                    .ignoreExceptions()
                    .until(() -> get(url, "/api/v1/hosts", "tc-operator")
                                    .path("items")
                                    .size()
                            == 3);
            String id = post(url, "/api/v1/jobs", "tc-operator", """
                            {"targets": [{"hosts": ["n003"], "cpuset": "/batch/job42"}], "oldNodes": [0, 1], "newNodes": [2, 3]}""").path("id").asString();
            await("the job ended")
                    .atMost(Duration.ofMinutes(1))
                    .ignoreExceptions()
                    .until(() -> get(url, "/api/v1/jobs/" + id, "tc-operator")
                            .path("finishedAt")
                            .isString());
            assertThat(service.output()).contains("PostgreSQL");
        }
    }

    // ---- helpers ----

    private static void awaitReady(String url, String container) {
        awaitProbe(url, container, "readiness");
    }

    private static void awaitProbe(String url, String container, String probe) {
        await(container + " " + probe)
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(podman(Duration.ofSeconds(20), "inspect", "-f", "{{.State.Running}}", container)
                                    .strip())
                            .as(() -> podmanQuietly("logs", container))
                            .isEqualTo("true");
                    return status(url + "/actuator/health/" + probe) == 200;
                });
    }

    /** The example secret of a token of the compose file (its x-example-secrets). */
    private static String composeSecret(String token) throws IOException {
        for (String line : Files.readAllLines(Path.of("docker", "compose.yaml"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith(token + ":")) {
                return trimmed.substring(token.length() + 1).strip();
            }
        }
        throw new AssertionError("no example secret for " + token + " in docker/compose.yaml");
    }

    private static int status(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static JsonNode get(String url, String path, String token) {
        return body(new ProtocolClient(URI.create(url)).get(path, token));
    }

    private static JsonNode post(String url, String path, String token, String body) {
        return body(new ProtocolClient(URI.create(url)).post(path, token, body));
    }

    private static JsonNode body(ProtocolClient.Response response) {
        assertThat(response.status()).as("%s", response.body()).isBetween(200, 201);
        return response.body();
    }

    private static String podman(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return Commands.run(ENV, timeout, command.toArray(String[]::new));
    }

    private static String podmanQuietly(String... args) {
        try {
            return podman(Duration.ofSeconds(60), args);
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    private static void compose(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("podman-compose"));
        command.addAll(List.of(args));
        Commands.run(ENV, timeout, command.toArray(String[]::new));
    }

    private static void composeQuietly(String... args) {
        try {
            compose(Duration.ofMinutes(2), args);
        } catch (RuntimeException e) {
            // Left for removeWhatWasStarted and the next run's podman-compose down.
        }
    }
}
