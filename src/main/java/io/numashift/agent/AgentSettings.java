package io.numashift.agent;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An agent process ({@code --numashift.mode=agent}), read by {@link #read} from {@link Settings}.
 *
 * @param host {@code numashift.agent.host}: the host it serves; by default this machine's host name
 * @param orchestratorUrl {@code numashift.agent.orchestrator-url}: the service's base URL; several,
 *     comma-separated, for replicas: the agent moves to the next when one does not answer
 * @param token {@code numashift.agent.token}: the agent token's secret, or
 * @param tokenFile {@code numashift.agent.token-file}: a file holding it (a mounted secret)
 * @param backend {@code numashift.agent.backend}: {@code linux} (the kernel of this machine, the
 *     default) or {@code simulated} (the host of this name in {@code numashift.sim.scenario})
 * @param leaseWait {@code numashift.agent.lease-wait}: how long one long poll for work waits (30 s)
 * @param shutdownGrace {@code numashift.agent.shutdown-grace}: how long a SIGTERM waits for a
 *     running task to finish before the agent stops it at its next batch and gives it back (25 s)
 * @param maxMiBPerSecond {@code numashift.agent.max-mib-per-second}: the most MiB a second this
 *     host moves in a migration whose job sets no {@code maxMiBPerSecond}; none by default
 * @param moveThreads {@code numashift.agent.move-threads}: how many threads of the Linux backend
 *     move, read and hash pages at once (1 to 64); by default one per CPU, at most 4
 * @param offlineTimeout {@code numashift.agent.offline-timeout}: how long the Linux backend lets one
 *     memory block of an evacuated node take to go offline before it gives the block up (60 s)
 * @param scenario {@code numashift.sim.scenario}: the scenario of a simulated agent, {@code
 *     classpath:…}, {@code file:…} or a path; by default the bundled demo
 */
public record AgentSettings(
        @Nullable String host,
        List<URI> orchestratorUrl,
        @Nullable String token,
        @Nullable Path tokenFile,
        Backend backend,
        Duration leaseWait,
        Duration shutdownGrace,
        @Nullable Integer maxMiBPerSecond,
        @Nullable Integer moveThreads,
        Duration offlineTimeout,
        String scenario) {

    public static final String DEFAULT_SCENARIO = "classpath:scenarios/demo.yaml";

    /** The most threads {@code numashift.agent.move-threads} may give the Linux backend. */
    public static final int MAX_MOVE_THREADS = 64;

    /** Every setting an agent process reads (besides {@code numashift.mode}), by its name. */
    public static final List<String> NAMES = List.of(
            "numashift.agent.host",
            "numashift.agent.orchestrator-url",
            "numashift.agent.token",
            "numashift.agent.token-file",
            "numashift.agent.backend",
            "numashift.agent.lease-wait",
            "numashift.agent.shutdown-grace",
            "numashift.agent.log-level",
            "numashift.agent.max-mib-per-second",
            "numashift.agent.move-threads",
            "numashift.agent.offline-timeout",
            "numashift.sim.scenario");

    public AgentSettings {
        orchestratorUrl = List.copyOf(orchestratorUrl);
    }

    /** Where an agent's pages live. */
    public enum Backend {
        LINUX,
        SIMULATED
    }

    /**
     * Reads the settings, with their defaults.
     *
     * @throws Settings.SettingException when a value cannot be used
     */
    public static AgentSettings read(Settings settings) {
        String backend = settings.text("numashift.agent.backend", "linux");
        Backend parsedBackend;
        try {
            parsedBackend = Backend.valueOf(backend.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new Settings.SettingException("numashift.agent.backend is '" + backend + "': use linux or simulated");
        }
        String tokenFile = settings.text("numashift.agent.token-file", null);
        return new AgentSettings(
                settings.text("numashift.agent.host", null),
                urls(settings.text("numashift.agent.orchestrator-url", "")),
                settings.get("numashift.agent.token").orElse(null),
                tokenFile == null ? null : Path.of(tokenFile),
                parsedBackend,
                settings.duration("numashift.agent.lease-wait", Duration.ofSeconds(30)),
                settings.duration("numashift.agent.shutdown-grace", Duration.ofSeconds(25)),
                rate(settings.text("numashift.agent.max-mib-per-second", null)),
                threads(settings.text("numashift.agent.move-threads", null)),
                settings.duration("numashift.agent.offline-timeout", Duration.ofSeconds(60)),
                settings.text("numashift.sim.scenario", DEFAULT_SCENARIO));
    }

    /** Without the token's secret, which is never shown. */
    @Override
    public String toString() {
        return "AgentSettings[host=" + host + ", orchestratorUrl=" + orchestratorUrl + ", token="
                + (token == null ? "none" : "(secret)") + ", tokenFile=" + tokenFile + ", backend=" + backend
                + ", leaseWait=" + leaseWait + ", shutdownGrace=" + shutdownGrace + ", maxMiBPerSecond="
                + maxMiBPerSecond + ", moveThreads=" + moveThreads + ", offlineTimeout=" + offlineTimeout
                + ", scenario=" + scenario + "]";
    }

    private static @Nullable Integer rate(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            int rate = Integer.parseInt(text.trim());
            if (rate > 0) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new Settings.SettingException(
                "numashift.agent.max-mib-per-second is '" + text + "': use a whole number of MiB/s, at least 1");
    }

    private static @Nullable Integer threads(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            int threads = Integer.parseInt(text.trim());
            if (threads >= 1 && threads <= MAX_MOVE_THREADS) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new Settings.SettingException(
                "numashift.agent.move-threads is '" + text + "': use a whole number from 1 to " + MAX_MOVE_THREADS);
    }

    private static List<URI> urls(String list) {
        List<URI> urls = new ArrayList<>();
        for (String part : list.split(",")) {
            String url = part.trim();
            if (url.isEmpty()) {
                continue;
            }
            try {
                URI uri = new URI(url);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new URISyntaxException(url, "not an http URL");
                }
                urls.add(uri);
            } catch (URISyntaxException e) {
                throw new Settings.SettingException("numashift.agent.orchestrator-url has '" + url
                        + "', which is not a URL such as http://svc:8080");
            }
        }
        return urls;
    }
}
