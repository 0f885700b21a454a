package io.numashift;

import io.numashift.sim.ScenarioLoader;
import io.numashift.sim.SimulatedCluster;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;

/**
 * The simulated cluster that the embedded agents serve (an agent process reads {@code
 * numashift.sim.scenario} itself: {@code agent.AgentSettings}).
 *
 * @param scenario the scenario file (a Spring resource location), by default the bundled demo
 * @param embeddedAgents whether the service starts one simulated agent per host of the scenario
 */
@ConfigurationProperties("numashift.sim")
public record SimSettings(
        @DefaultValue("classpath:scenarios/demo.yaml") Resource scenario,
        @DefaultValue("true") boolean embeddedAgents) {

    /** Reads the scenario. */
    public SimulatedCluster cluster() {
        try (Reader reader = new InputStreamReader(scenario.getInputStream(), StandardCharsets.UTF_8)) {
            return ScenarioLoader.load(reader, scenario.getDescription());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the scenario " + scenario.getDescription(), e);
        }
    }
}
