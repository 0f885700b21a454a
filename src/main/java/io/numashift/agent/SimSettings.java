package io.numashift.agent;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;

/**
 * The simulated cluster that the embedded agents serve.
 *
 * @param scenario the scenario file (a Spring resource location), by default the bundled demo
 * @param embeddedAgents whether the service starts one simulated agent per host of the scenario
 */
@ConfigurationProperties("numashift.sim")
public record SimSettings(
        @DefaultValue("classpath:scenarios/demo.yaml") Resource scenario,
        @DefaultValue("true") boolean embeddedAgents) {}
