package io.numashift.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * An agent process ({@code --numashift.mode=agent}).
 *
 * @param host the host it serves; by default this machine's host name
 * @param orchestratorUrl the service's base URL; several, comma-separated, for replicas: the agent
 *     moves to the next when one does not answer
 * @param token the agent token's secret, or
 * @param tokenFile a file holding it (a mounted secret)
 * @param backend {@code linux} (the kernel of this machine) or {@code simulated} (the host of this
 *     name in {@code numashift.sim.scenario})
 * @param leaseWait how long one long poll for work waits
 * @param shutdownGrace how long a SIGTERM waits for a running task to finish before the agent
 *     stops it at its next batch and gives it back
 */
@ConfigurationProperties("numashift.agent")
public record AgentSettings(
        @Nullable String host,
        @DefaultValue List<URI> orchestratorUrl,
        @Nullable String token,
        @Nullable Path tokenFile,
        @DefaultValue("linux") Backend backend,
        @DefaultValue("30s") Duration leaseWait,
        @DefaultValue("25s") Duration shutdownGrace) {

    /** Where an agent's pages live. */
    public enum Backend {
        LINUX,
        SIMULATED
    }
}
