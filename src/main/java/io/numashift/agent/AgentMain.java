package io.numashift.agent;

import io.numashift.core.backend.NumaBackend;
import io.numashift.linux.LinuxBackend;
import io.numashift.sim.ScenarioException;
import io.numashift.sim.ScenarioLoader;
import io.numashift.sim.SimulatedCluster;
import io.numashift.sim.SimulatedHost;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The jar run as one host's agent ({@code --numashift.mode=agent}): a plain Java program, with no
 * web server, no database and no application framework, configured by {@link AgentSettings}. The
 * agent runs on the main thread; SIGTERM (a shutdown hook) stops it within {@code
 * numashift.agent.shutdown-grace}, giving a running task back. A setting it cannot start with is
 * one line on standard error and exit status 2.
 */
public final class AgentMain {
    /** The exit status of an agent that cannot start with its settings. */
    public static final int CANNOT_START = 2;

    private AgentMain() {}

    public static void main(String[] args) {
        Settings settings = Settings.of(args);
        AgentLogging.configure(settings);
        Started started;
        try {
            started = start(AgentSettings.read(settings));
        } catch (StartException | Settings.SettingException e) {
            System.err.println("numashift agent: " + e.getMessage());
            System.exit(CANNOT_START);
            return;
        }
        started.run();
    }

    /** An agent that could start, ready to run on the calling thread. */
    record Started(Agent agent, String host, Duration grace) {
        void run() {
            Logger log = LoggerFactory.getLogger(AgentMain.class);
            Thread runner = Thread.currentThread();
            Runtime.getRuntime()
                    .addShutdownHook(Thread.ofPlatform().name("agent-stop").unstarted(() -> {
                        MDC.put("host", host);
                        try {
                            agent.shutdown(grace);
                            runner.join(Duration.ofSeconds(5));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        log.info("agent for host {} stopped", host);
                    }));
            agent.run();
        }
    }

    /**
     * Builds the agent of these settings.
     *
     * @throws StartException when it cannot start: no service URL, no token, an unknown host
     */
    static Started start(AgentSettings settings) {
        if (settings.orchestratorUrl().isEmpty()) {
            throw new StartException("numashift.agent.orchestrator-url is not set: give the service's URL"
                    + " (several, comma-separated, for replicas)");
        }
        String token = token(settings);
        String host = settings.host() != null ? settings.host() : localHostName();
        NumaBackend backend = switch (settings.backend()) {
            case SIMULATED -> simulatedHost(settings.scenario(), host);
            case LINUX -> linux(host, settings.moveThreads(), settings.offlineTimeout());
        };
        String backendName = settings.backend().name().toLowerCase(Locale.ROOT);
        Agent agent = new Agent(
                host,
                backendName,
                backend,
                new AgentClient(settings.orchestratorUrl(), token),
                settings.leaseWait(),
                settings.maxMiBPerSecond());
        LoggerFactory.getLogger(AgentMain.class)
                .info(
                        "agent for host {} ({} backend), service {}, shutdown grace {}",
                        host,
                        backendName,
                        settings.orchestratorUrl(),
                        settings.shutdownGrace());
        return new Started(agent, host, settings.shutdownGrace());
    }

    private static String token(AgentSettings settings) {
        if (settings.token() != null && !settings.token().isBlank()) {
            return settings.token().trim();
        }
        Path file = settings.tokenFile();
        if (file != null) {
            String secret;
            try {
                secret = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (NoSuchFileException e) {
                throw new StartException("the token file " + file + " (numashift.agent.token-file) does not exist");
            } catch (IOException e) {
                throw new StartException("cannot read the token file " + file + ": " + e.getMessage());
            }
            if (secret.isEmpty()) {
                throw new StartException("the token file " + file + " is empty");
            }
            return secret;
        }
        throw new StartException("no agent token: set numashift.agent.token or numashift.agent.token-file"
                + " (or NUMASHIFT_AGENT_TOKEN, NUMASHIFT_AGENT_TOKEN_FILE)");
    }

    private static NumaBackend linux(String host, @Nullable Integer threads, Duration offlineTimeout) {
        try {
            LinuxBackend backend = threads == null ? LinuxBackend.open(host) : LinuxBackend.open(host, threads);
            backend.offlineTimeout(offlineTimeout);
            return backend;
        } catch (RuntimeException e) {
            throw new StartException("the Linux backend cannot start: " + e.getMessage());
        }
    }

    private static SimulatedHost simulatedHost(String scenario, String host) {
        SimulatedCluster cluster;
        try (Reader reader = new InputStreamReader(open(scenario), StandardCharsets.UTF_8)) {
            cluster = ScenarioLoader.load(reader, scenario);
        } catch (IOException e) {
            throw new StartException("cannot read the scenario " + scenario + ": " + e.getMessage());
        } catch (ScenarioException e) {
            throw new StartException(e.getMessage());
        }
        return cluster.host(host)
                .orElseThrow(() -> new StartException("the scenario " + scenario + " has no host " + host
                        + "; its hosts are "
                        + cluster.hosts().stream().map(SimulatedHost::hostName).toList()));
    }

    /** A scenario location: {@code classpath:…}, a URL ({@code file:…}) or a path. */
    static InputStream open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length()).replaceFirst("^/+", "");
            InputStream in = AgentMain.class.getClassLoader().getResourceAsStream(name);
            if (in == null) {
                throw new NoSuchFileException(location);
            }
            return in;
        }
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
            try {
                return URI.create(location).toURL().openStream();
            } catch (IllegalArgumentException e) {
                throw new IOException("not a location: " + location, e);
            }
        }
        return Files.newInputStream(Path.of(location));
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new StartException("cannot tell this machine's host name: set numashift.agent.host");
        }
    }

    /** The agent cannot start; the message says why, in one line. */
    static final class StartException extends RuntimeException {
        StartException(String message) {
            super(message);
        }
    }
}
