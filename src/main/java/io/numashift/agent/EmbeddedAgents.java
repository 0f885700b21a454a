package io.numashift.agent;

import io.numashift.security.Role;
import io.numashift.security.Tokens;
import io.numashift.sim.ScenarioLoader;
import io.numashift.sim.SimulatedCluster;
import io.numashift.sim.SimulatedHost;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * In the default run, one simulated agent per host of the scenario, each speaking the agent
 * protocol to this service over loopback with an agent token of its own, so that the default
 * run takes the same path as a cluster. {@code numashift.sim.embedded-agents=false} turns them off.
 */
@Component
@ConditionalOnProperty(name = "numashift.sim.embedded-agents", havingValue = "true", matchIfMissing = true)
class EmbeddedAgents implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedAgents.class);

    private final SimulatedCluster cluster;
    private final Tokens tokens;
    private final List<Agent> agents = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    EmbeddedAgents(SimSettings settings, Tokens tokens) {
        this.cluster = load(settings);
        this.tokens = tokens;
    }

    private static SimulatedCluster load(SimSettings settings) {
        try (Reader reader = new InputStreamReader(settings.scenario().getInputStream(), StandardCharsets.UTF_8)) {
            return ScenarioLoader.load(reader, settings.scenario().getDescription());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the scenario " + settings.scenario().getDescription(), e);
        }
    }

    SimulatedCluster cluster() {
        return cluster;
    }

    @EventListener
    void onServerStarted(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return;
        }
        URI base = URI.create("http://127.0.0.1:" + event.getWebServer().getPort());
        for (SimulatedHost host : cluster.hosts()) {
            String secret =
                    tokens.generate("agent-" + host.hostName(), EnumSet.of(Role.AGENT), Set.of(host.hostName()));
            Agent agent = new Agent(
                    host.hostName(), "simulated", host, new AgentClient(base, secret), Duration.ofSeconds(30));
            agents.add(agent);
            threads.add(Thread.ofVirtual().name("agent-" + host.hostName()).start(agent));
        }
        log.info(
                "started {} embedded simulated agents for {}",
                agents.size(),
                cluster.hosts().stream().map(SimulatedHost::hostName).toList());
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        agents.forEach(Agent::stop);
        threads.forEach(Thread::interrupt);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
