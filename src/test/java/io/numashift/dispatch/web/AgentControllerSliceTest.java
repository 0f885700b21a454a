package io.numashift.dispatch.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.numashift.dispatch.DispatchSettings;
import io.numashift.dispatch.Dispatcher;
import io.numashift.dispatch.WorkSignals;
import io.numashift.hosts.HostRegistry;
import io.numashift.security.SecurityTestSupport;
import io.numashift.security.Tokens;
import io.numashift.web.WebSliceSupport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * The lease long poll in the web layer alone: a waiting lease request is asynchronous (it holds no
 * thread while it waits), looks for a task when its host's signal comes, and is answered 204 when
 * its wait ends. The dispatcher and the registry are mocks because this slice has no database;
 * the whole protocol runs over HTTP against the real service in {@code AgentProtocolTest} and
 * {@code LeaseExpiryTest}.
 */
@WebMvcTest(AgentController.class)
@Import({WorkSignals.class, WebSliceSupport.class, SecurityTestSupport.class})
@EnableConfigurationProperties(DispatchSettings.class)
class AgentControllerSliceTest {
    private static final String AGENT = "slice-agent-secret";

    @DynamicPropertySource
    static void tokens(DynamicPropertyRegistry registry) {
        registry.add("numashift.security.tokens[0].name", () -> "agent-h1");
        registry.add("numashift.security.tokens[0].sha256", () -> Tokens.sha256Hex(AGENT));
        registry.add("numashift.security.tokens[0].roles", () -> "AGENT");
        registry.add("numashift.security.tokens[0].hosts", () -> "h1");
    }

    @Autowired
    MockMvcTester mvc;

    @Autowired
    WorkSignals signals;

    @MockitoBean
    Dispatcher dispatcher;

    @MockitoBean
    HostRegistry hosts;

    @BeforeEach
    void aRegisteredHostWithNoWork() {
        when(hosts.isRegistered("h1")).thenReturn(true);
        when(hosts.waiting("h1")).thenReturn(() -> {});
        when(dispatcher.tryLease(eq("h1"), anyLong())).thenReturn(Optional.empty());
        signals.refresh(System.nanoTime(), List.of());
    }

    private MvcTestResult lease(String wait, boolean waitForTheAnswer) {
        var request = mvc.post().uri("/api/v1/agents/h1/lease?wait=" + wait).header("Authorization", "Bearer " + AGENT);
        return waitForTheAnswer ? request.exchange(Duration.ofSeconds(10)) : request.asyncExchange();
    }

    @Test
    void aWaitingLeaseIsAsynchronousAndAsksNothingUntilItsHostIsSignalled() {
        MvcTestResult waiting = lease("30s", false);

        assertThat(waiting).request().hasAsyncStarted(true);
        verify(dispatcher, never()).tryLease(eq("h1"), anyLong());

        signals.refresh(System.nanoTime(), List.of("h1"));
        signals.wake("h1");

        verify(dispatcher, timeout(5_000)).tryLease(eq("h1"), anyLong());
    }

    @Test
    void aLeaseThatFindsNothingWithinItsWaitIsAnswered204() {
        MvcTestResult answered = lease("200ms", true);

        assertThat(answered).hasStatus(204);
        verify(dispatcher, never()).tryLease(eq("h1"), anyLong());
    }

    @Test
    void aLeaseForAHostNeverRegisteredIsRefusedAtOnce() {
        when(hosts.isRegistered("h1")).thenReturn(false);

        MvcTestResult refused = lease("30s", false);

        assertThat(refused).request().hasAsyncStarted(false);
        assertThat(refused).hasStatus(400);
    }
}
