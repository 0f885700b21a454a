package io.numashift;

import io.numashift.agent.Agent;
import io.numashift.agent.AgentClient;
import io.numashift.security.Role;
import io.numashift.security.Tokens;
import io.numashift.sim.SimulatedCluster;
import io.numashift.sim.SimulatedHost;
import java.net.URI;
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
 *
 * <p>It belongs to the application, not to the agent or the service: it is the one place that
 * uses both (the service's tokens, the agent's code).
 */
@Component
@ConditionalOnProperty(name = "numashift.sim.embedded-agents", havingValue = "true", matchIfMissing = true)
class EmbeddedAgents implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedAgents.class);

    private final SimulatedCluster cluster;
    private final Tokens tokens;
    private final List<Agent> agents = new ArrayList<>();
    private volatile boolean running;

    EmbeddedAgents(SimSettings settings, Tokens tokens) {
        this.cluster = settings.cluster();
        this.tokens = tokens;
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
            Thread.ofVirtual().name("agent-" + host.hostName()).start(agent);
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
        try {
            for (Agent agent : agents) {
                agent.shutdown(Duration.ZERO);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
