package io.numashift;

import io.numashift.agent.Agent;
import io.numashift.agent.AgentClient;
import io.numashift.hosts.HostRegistry;
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
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
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
class EmbeddedAgents implements SmartLifecycle, ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedAgents.class);
    private static final int REGISTER_SECONDS = 30;

    private final SimulatedCluster cluster;
    private final Tokens tokens;
    private final HostRegistry registry;
    private final List<Agent> agents = new ArrayList<>();
    private volatile boolean running;

    EmbeddedAgents(SimSettings settings, Tokens tokens, HostRegistry registry) {
        this.cluster = settings.cluster();
        this.tokens = tokens;
        this.registry = registry;
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
            agents.add(new Agent(
                    host.hostName(), "simulated", host, new AgentClient(base, secret), Duration.ofSeconds(30)));
        }
    }

    /**
     * Starts the embedded agents, one virtual thread each, and waits, at most {@value
     * #REGISTER_SECONDS} s, until every one has registered its host. Runners run before the
     * service reports itself ready, so a job that names the demo hosts as soon as it is ready finds
     * them (and not {@code UNKNOWN_HOST}). The first agent registers alone before the others start,
     * so that the classes of the way in are initialised by then: a virtual thread waiting for a
     * class's initialisation keeps its carrier thread, and a cluster of 60 agents started at once
     * on two cores was once seen stalled before any registered, with nothing logged (the likely
     * cause; the tests that start such clusters dump the threads should it happen again). Without
     * a web server (a context with no HTTP port) no agent exists, and nothing is waited for.
     */
    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        if (agents.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(REGISTER_SECONDS).toNanos();
        start(agents.getFirst());
        awaitRegistered(List.of(agents.getFirst().host()), deadline);
        agents.stream().skip(1).forEach(EmbeddedAgents::start);
        log.info(
                "started {} embedded simulated agents for {}",
                agents.size(),
                cluster.hosts().stream().map(SimulatedHost::hostName).toList());
        awaitRegistered(cluster.hosts().stream().map(SimulatedHost::hostName).toList(), deadline);
    }

    private static void start(Agent agent) {
        Thread.ofVirtual().name("agent-" + agent.host()).start(agent);
    }

    private void awaitRegistered(List<String> names, long deadline) throws InterruptedException {
        while (!registry.unknown(names).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                log.warn(
                        "embedded agents not all registered after {} s: {}", REGISTER_SECONDS, registry.unknown(names));
                return;
            }
            Thread.sleep(20);
        }
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
