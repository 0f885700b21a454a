package io.numashift.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** An agent process reads the settings the Spring-based agent read, by the same names and forms. */
class AgentSettingsTest {

    private static AgentSettings read(List<String> args, Map<String, String> env) {
        return AgentSettings.read(Settings.of(args, new Properties(), env));
    }

    @Test
    void defaults() {
        AgentSettings settings = read(List.of(), Map.of());
        assertThat(settings.host()).isNull();
        assertThat(settings.orchestratorUrl()).isEmpty();
        assertThat(settings.token()).isNull();
        assertThat(settings.tokenFile()).isNull();
        assertThat(settings.backend()).isEqualTo(AgentSettings.Backend.LINUX);
        assertThat(settings.leaseWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.shutdownGrace()).isEqualTo(Duration.ofSeconds(25));
        assertThat(settings.scenario()).isEqualTo("classpath:scenarios/demo.yaml");
        assertThat(settings.maxMiBPerSecond()).isNull();
    }

    @Test
    void argumentsComeBeforeTheEnvironment() {
        AgentSettings settings = read(
                List.of(
                        "--numashift.agent.host=n001",
                        "--numashift.agent.orchestrator-url=http://a:8080, http://b:8080",
                        "--numashift.agent.backend=simulated",
                        "--numashift.agent.leaseWait=500ms",
                        "--numashift.sim.scenario=file:/tmp/x.yaml",
                        "not-a-setting"),
                Map.of(
                        "NUMASHIFT_AGENT_HOST", "other",
                        "NUMASHIFT_AGENT_TOKEN_FILE", "/run/secrets/agent-token",
                        "NUMASHIFT_AGENT_SHUTDOWN_GRACE", "PT40S",
                        "NUMASHIFT_AGENT_MAX_MIB_PER_SECOND", "200"));
        assertThat(settings.host()).isEqualTo("n001");
        assertThat(settings.orchestratorUrl())
                .containsExactly(URI.create("http://a:8080"), URI.create("http://b:8080"));
        assertThat(settings.backend()).isEqualTo(AgentSettings.Backend.SIMULATED);
        assertThat(settings.leaseWait()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.shutdownGrace()).isEqualTo(Duration.ofSeconds(40));
        assertThat(settings.tokenFile()).isEqualTo(Path.of("/run/secrets/agent-token"));
        assertThat(settings.scenario()).isEqualTo("file:/tmp/x.yaml");
        assertThat(settings.maxMiBPerSecond()).isEqualTo(200);
    }

    @Test
    void theEnvironmentInBothUpperCaseForms() {
        assertThat(read(List.of(), Map.of("NUMASHIFT_AGENT_ORCHESTRATOR_URL", "http://svc:8080"))
                        .orchestratorUrl())
                .containsExactly(URI.create("http://svc:8080"));
        assertThat(read(List.of(), Map.of("NUMASHIFT_AGENT_ORCHESTRATORURL", "http://svc:8080"))
                        .orchestratorUrl())
                .containsExactly(URI.create("http://svc:8080"));
        assertThat(read(List.of(), Map.of("NUMASHIFT_AGENT_LEASE_WAIT", "2m")).leaseWait())
                .isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void durationsAsTheServiceWritesThem() {
        assertThat(Settings.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Settings.parseDuration("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Settings.parseDuration("pt1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Settings.parseDuration("250")).isEqualTo(Duration.ofMillis(250));
        assertThat(Settings.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Settings.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void aBadValueNamesTheSetting() {
        assertThatThrownBy(() -> read(List.of("--numashift.agent.shutdown-grace=soon"), Map.of()))
                .hasMessageContaining("numashift.agent.shutdown-grace");
        assertThatThrownBy(() -> read(List.of("--numashift.agent.backend=kvm"), Map.of()))
                .hasMessageContaining("numashift.agent.backend");
        assertThatThrownBy(() -> read(List.of("--numashift.agent.orchestrator-url=svc"), Map.of()))
                .hasMessageContaining("numashift.agent.orchestrator-url");
        for (String rate : List.of("0", "-5", "fast", "1.5")) {
            assertThatThrownBy(() -> read(List.of("--numashift.agent.max-mib-per-second=" + rate), Map.of()))
                    .hasMessageContaining("numashift.agent.max-mib-per-second");
        }
        for (String threads : List.of("0", "65", "-1", "all", "2.5")) {
            assertThatThrownBy(() -> read(List.of("--numashift.agent.move-threads=" + threads), Map.of()))
                    .hasMessageContaining("numashift.agent.move-threads");
        }
    }

    @Test
    void moveThreadsAreTheBackendsDefaultUnlessSet() {
        assertThat(read(List.of(), Map.of()).moveThreads()).isNull();
        assertThat(read(List.of("--numashift.agent.move-threads=1"), Map.of()).moveThreads())
                .isEqualTo(1);
        assertThat(read(List.of(), Map.of("NUMASHIFT_AGENT_MOVE_THREADS", "64")).moveThreads())
                .isEqualTo(64);
    }

    @Test
    void theTokenIsNeverShown() {
        AgentSettings settings = read(List.of("--numashift.agent.token=s3cr3t-value"), Map.of());
        assertThat(settings.token()).isEqualTo("s3cr3t-value");
        assertThat(settings.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void anAgentThatCannotStartSaysWhy() {
        assertThatThrownBy(() -> AgentMain.start(read(List.of(), Map.of())))
                .hasMessageContaining("orchestrator-url is not set");
        assertThatThrownBy(
                        () -> AgentMain.start(read(List.of("--numashift.agent.orchestrator-url=http://a:1"), Map.of())))
                .hasMessageContaining("no agent token");
        assertThatThrownBy(() -> AgentMain.start(read(
                        List.of(
                                "--numashift.agent.orchestrator-url=http://a:1",
                                "--numashift.agent.token=t",
                                "--numashift.agent.backend=simulated",
                                "--numashift.agent.host=nope"),
                        Map.of())))
                .hasMessageContaining("has no host nope");
    }
}
