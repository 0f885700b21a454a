package io.numashift.agent;

import io.numashift.core.backend.NumaBackend;
import io.numashift.linux.LinuxBackend;
import io.numashift.sim.SimulatedCluster;
import io.numashift.sim.SimulatedHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * The jar run as one host's agent ({@code --numashift.mode=agent}): no web server, no database,
 * only the agent, configured by {@link AgentSettings}. It stops cleanly on SIGTERM (the JVM's
 * shutdown hook closes the context), within {@code numashift.agent.shutdown-grace}.
 *
 * <p>Deliberately not a {@code @Configuration}: the service's component scan must not start an
 * agent.
 */
@EnableConfigurationProperties({AgentSettings.class, SimSettings.class})
public class AgentProcess {
    private static final Logger log = LoggerFactory.getLogger(AgentProcess.class);

    public static ConfigurableApplicationContext run(String[] args) {
        SpringApplication application = new SpringApplication(AgentProcess.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        return application.run(args);
    }

    @Bean
    Runner agentRunner(AgentSettings settings, SimSettings sim) {
        String host = settings.host() != null && !settings.host().isBlank() ? settings.host() : localHostName();
        if (settings.orchestratorUrl().isEmpty()) {
            throw new IllegalStateException(
                    "numashift.agent.orchestrator-url is not set: give the service's URL (several, comma-separated, for replicas)");
        }
        NumaBackend backend = switch (settings.backend()) {
            case SIMULATED -> simulatedHost(sim, host);
            case LINUX -> LinuxBackend.open(host);
        };
        String backendName = settings.backend().name().toLowerCase(Locale.ROOT);
        Agent agent = new Agent(
                host,
                backendName,
                backend,
                new AgentClient(settings.orchestratorUrl(), token(settings)),
                settings.leaseWait());
        log.info("agent for host {} ({} backend), service {}", host, backendName, settings.orchestratorUrl());
        return new Runner(agent, host, settings.shutdownGrace());
    }

    private static String token(AgentSettings settings) {
        if (settings.token() != null && !settings.token().isBlank()) {
            return settings.token().trim();
        }
        if (settings.tokenFile() != null) {
            try {
                String secret = Files.readString(settings.tokenFile(), StandardCharsets.UTF_8)
                        .trim();
                if (!secret.isEmpty()) {
                    return secret;
                }
                throw new IllegalStateException("the token file " + settings.tokenFile() + " is empty");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the token file " + settings.tokenFile(), e);
            }
        }
        throw new IllegalStateException("no agent token: set numashift.agent.token or numashift.agent.token-file");
    }

    private static SimulatedHost simulatedHost(SimSettings sim, String host) {
        SimulatedCluster cluster = sim.cluster();
        return cluster.host(host)
                .orElseThrow(() -> new IllegalStateException("the scenario "
                        + sim.scenario().getDescription()
                        + " has no host " + host + "; its hosts are "
                        + cluster.hosts().stream().map(SimulatedHost::hostName).toList()));
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot tell this machine's host name: set numashift.agent.host", e);
        }
    }

    /** Runs the agent on a thread of its own from start until the context closes. */
    static final class Runner implements SmartLifecycle {
        private final Agent agent;
        private final String host;
        private final Duration grace;
        private volatile boolean running;

        Runner(Agent agent, String host, Duration grace) {
            this.agent = agent;
            this.host = host;
            this.grace = grace;
        }

        @Override
        public void start() {
            // A platform thread that is not a daemon: it keeps the JVM alive while the agent runs.
            Thread.ofPlatform().name("agent-" + host).daemon(false).start(agent);
            running = true;
        }

        @Override
        public void stop() {
            try {
                agent.shutdown(grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running = false;
            log.info("agent for host {} stopped", host);
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
