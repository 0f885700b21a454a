package io.numashift.processes;

import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.security.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Services and agents as separate processes of the packaged jar, wired as in a cluster: the
 * services run without embedded agents, each agent serves one host of a scenario file and talks to
 * the services over HTTP with an agent token. Everything started is killed on {@link #close()}.
 */
public final class ProcessCluster implements AutoCloseable {
    public static final String OPERATOR = "it-operator-secret";
    public static final String AGENT = "it-agent-secret";

    private final Path dir;
    private final Path scenario;
    private final List<String> hosts;
    private final List<JarProcess> started = new ArrayList<>();

    /**
     * @param dir where data directories and the scenario go
     * @param scenarioResource the scenario on the test class path
     * @param hosts the hosts of the scenario, which the agent token may serve
     */
    public ProcessCluster(Path dir, String scenarioResource, List<String> hosts) {
        this.dir = dir;
        this.hosts = List.copyOf(hosts);
        this.scenario = dir.resolve("scenario.yaml");
        try (InputStream in = ProcessCluster.class.getResourceAsStream(scenarioResource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + scenarioResource);
            }
            Files.copy(in, scenario, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service on a free port with its own data directory, ready to answer. */
    public Service service(String name, String... properties) {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--numashift.data-dir=" + dir.resolve("data-" + name),
                "--numashift.sim.embedded-agents=false",
                "--numashift.security.tokens[0].name=operator",
                "--numashift.security.tokens[0].sha256=" + Tokens.sha256Hex(OPERATOR),
                "--numashift.security.tokens[0].roles=OPERATOR",
                "--numashift.security.tokens[1].name=agents",
                "--numashift.security.tokens[1].sha256=" + Tokens.sha256Hex(AGENT),
                "--numashift.security.tokens[1].roles=AGENT",
                "--numashift.security.tokens[1].hosts=" + String.join(",", hosts)));
        for (String property : properties) {
            args.add("--" + property);
        }
        Service service = new Service(JarProcess.start(name, args), port);
        started.add(service.process());
        service.awaitReady();
        return service;
    }

    /** An agent process serving {@code host} of the scenario, talking to these services in turn. */
    JarProcess agent(String name, String host, List<Service> services, String... properties) {
        List<String> all = new ArrayList<>(
                List.of("numashift.agent.backend=simulated", "numashift.sim.scenario=file:" + scenario));
        all.addAll(List.of(properties));
        return agentProcess(name, host, services, all);
    }

    /** An agent process serving this machine's kernel under the name {@code host}. */
    JarProcess linuxAgent(String name, String host, List<Service> services) {
        return agentProcess(name, host, services, List.of("numashift.agent.backend=linux"));
    }

    private JarProcess agentProcess(String name, String host, List<Service> services, List<String> properties) {
        List<String> args = new ArrayList<>(List.of(
                "--numashift.mode=agent",
                "--numashift.agent.host=" + host,
                "--numashift.agent.token=" + AGENT,
                "--numashift.agent.orchestrator-url="
                        + services.stream().map(s -> s.url().toString()).collect(Collectors.joining(","))));
        for (String property : properties) {
            args.add("--" + property);
        }
        JarProcess agent = JarProcess.start(name, args);
        started.add(agent);
        return agent;
    }

    @Override
    public void close() {
        started.forEach(JarProcess::close);
    }

    /** A TCP port that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service process and its HTTP API. */
    public record Service(JarProcess process, int port) {
        public URI url() {
            return URI.create("http://127.0.0.1:" + port);
        }

        public ProtocolClient client() {
            return new ProtocolClient(url());
        }

        /** Waits until the service answers its liveness probe. */
        void awaitReady() {
            ProtocolClient client = client();
            await(process.name() + " ready")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError(process + " exited:\n" + process.output());
                        }
                        return client.get("/actuator/health/liveness", OPERATOR).status() == 200;
                    });
        }

        /** Waits until these hosts are registered and ONLINE. */
        public void awaitOnline(String... hosts) {
            ProtocolClient client = client();
            for (String host : hosts) {
                await(host + " ONLINE")
                        .atMost(Duration.ofSeconds(60))
                        .ignoreExceptions()
                        .until(() -> client.host(host, OPERATOR)
                                .get("state")
                                .asString()
                                .equals("ONLINE"));
            }
        }

        /** SIGKILL, then the same command again, on the same port and data. */
        void crashAndRestart() {
            process.kill();
            process.restart();
            awaitReady();
        }
    }
}
