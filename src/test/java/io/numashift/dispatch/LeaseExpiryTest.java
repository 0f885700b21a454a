package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.NumashiftApplication;
import io.numashift.dispatch.ProtocolClient.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Leases that run out and hosts that stay away, through the agent protocol over HTTP. The
 * service's clock stands still until a test moves it, and the reaper looks every 200 ms: a lease
 * runs out exactly when the test says, however slow the machine, and no test sleeps for a lease.
 * Every test uses a host of its own.
 */
@SpringBootTest(
        classes = {NumashiftApplication.class, SettableClock.InPlaceOfTheSystemClock.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "numashift.sim.embedded-agents=false",
            "numashift.dispatch.reap-interval=200ms",
            "numashift.dispatch.lease-duration=30s",
            "numashift.dispatch.max-attempts=2",
            "numashift.hosts.unknown-after=15s",
            "numashift.hosts.offline-after=2m"
        })
class LeaseExpiryTest {
    static final String OPERATOR = "operator-secret";
    static final String FLEET = "fleet-secret";
    static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        AgentProtocolTest.token(registry, 0, "ops", OPERATOR, "OPERATOR", "");
        AgentProtocolTest.token(
                registry, 1, "fleet", FLEET, "AGENT", "expiring,lost,away,renewed,cancel-expire,refused");
    }

    @LocalServerPort
    int port;

    @Autowired
    SettableClock clock;

    ProtocolClient client;

    @BeforeEach
    void client() {
        client = new ProtocolClient(port);
    }

    @Test
    void anExpiredLeaseIsOfferedAgainWithAHigherEpochAndTheOldEpochIsRefused() {
        register("expiring");
        String job = client.submit(OPERATOR, "expiring", 1);
        JsonNode first = leased("expiring");
        String taskId = first.get("taskId").asString();
        long oldEpoch = first.get("epoch").asLong();

        JsonNode requeued = leaseRunsOut(job);

        assertThat(task(requeued).get("state").asString()).isEqualTo("PENDING");
        assertThat(task(requeued).get("attempts").asInt()).isEqualTo(1);
        assertStaleEpoch(client.heartbeat(taskId, oldEpoch, FLEET));
        assertThat(client.job(job, OPERATOR)).isEqualTo(requeued);

        JsonNode second = leased("expiring");

        assertThat(second.get("taskId").asString()).isEqualTo(taskId);
        assertThat(second.get("epoch").asLong()).isGreaterThan(oldEpoch);
        assertThat(second.get("attempt").asInt()).isEqualTo(2);
        JsonNode running = client.job(job, OPERATOR);
        assertThat(task(running).get("state").asString()).isEqualTo("RUNNING");
        assertThat(task(running).get("attempts").asInt()).isEqualTo(2);

        assertStaleEpoch(client.heartbeat(taskId, oldEpoch, FLEET));
        assertStaleEpoch(client.result(taskId, oldEpoch, FLEET, ProtocolClient.succeeded(1)));

        assertThat(client.job(job, OPERATOR)).isEqualTo(running);
        assertThat(client.heartbeat(taskId, second.get("epoch").asLong(), FLEET).status())
                .isEqualTo(200);
    }

    @Test
    void aTaskWhoseLeaseRunsOutMaxAttemptsTimesFailsWithAgentLost() {
        register("lost");
        String job = client.submit(OPERATOR, "lost", 1);
        leased("lost");
        leaseRunsOut(job);
        JsonNode last = leased("lost");

        JsonNode failed = leaseRunsOut(job);

        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(failed.get("finishedAt").isNull()).isFalse();
        assertThat(task(failed).get("state").asString()).isEqualTo("FAILED");
        assertThat(task(failed).get("attempts").asInt()).isEqualTo(2);
        assertThat(task(failed).get("error").get("code").asString()).isEqualTo("AGENT_LOST");
        assertThat(failed.get("failures")).hasSize(1);
        JsonNode failure = failed.get("failures").get(0);
        assertThat(failure.get("host").asString()).isEqualTo("lost");
        assertThat(failure.get("pid").isNull()).isTrue();
        assertThat(failure.get("code").asString()).isEqualTo("AGENT_LOST");

        // The agent of the last attempt comes back too late: its result changes nothing.
        assertStaleEpoch(client.result(
                last.get("taskId").asString(), last.get("epoch").asLong(), FLEET, ProtocolClient.succeeded(1)));
        assertThat(client.lease("lost", FLEET, "0ms").status()).isEqualTo(204);
        assertThat(client.job(job, OPERATOR)).isEqualTo(failed);
    }

    @Test
    void pendingTasksOfAHostAwayPastOfflineAfterFailWithHostUnavailable() {
        register("away");
        String job = client.submit(OPERATOR, "away", 1);
        long submitted = client.job(job, OPERATOR).get("version").asLong();

        clock.advance(Duration.ofSeconds(16));
        JsonNode whileUnknown = client.jobAfter(job, submitted, "600ms", OPERATOR);

        assertThat(client.host("away", OPERATOR).get("state").asString()).isEqualTo("UNKNOWN");
        assertThat(whileUnknown.get("version").asLong())
                .as("the job did not change while its host was only UNKNOWN")
                .isEqualTo(submitted);
        assertThat(task(whileUnknown).get("state").asString()).isEqualTo("PENDING");

        clock.advance(Duration.ofMinutes(2));
        JsonNode failed = client.jobAfter(job, submitted, "10s", OPERATOR);

        assertThat(client.host("away", OPERATOR).get("state").asString()).isEqualTo("OFFLINE");
        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(task(failed).get("state").asString()).isEqualTo("FAILED");
        assertThat(task(failed).get("attempts").asInt()).isZero();
        assertThat(task(failed).get("error").get("code").asString()).isEqualTo("HOST_UNAVAILABLE");
        assertThat(failed.get("failures")).hasSize(1);
        assertThat(failed.get("failures").get(0).get("code").asString()).isEqualTo("HOST_UNAVAILABLE");
    }

    /**
     * An agent whose requests are refused (here 400s; in an outage of the database, 503s) is alive:
     * its host stays ONLINE from what this replica heard before any round writes it, and its
     * pending tasks are not failed as a host gone.
     */
    @Test
    void anAgentWhoseRequestsAreRefusedIsStillHeardAndItsHostIsNotReapedAsGone() {
        register("refused");
        String job = client.submit(OPERATOR, "refused", 1);
        long submitted = client.job(job, OPERATOR).get("version").asLong();
        clock.advance(Duration.ofSeconds(16));
        assertThat(client.host("refused", OPERATOR).get("state").asString()).isEqualTo("UNKNOWN");

        assertThat(client.lease("refused", FLEET, "not-a-duration").status()).isEqualTo(400);

        JsonNode heard = client.host("refused", OPERATOR);
        assertThat(heard.get("state").asString()).isEqualTo("ONLINE");
        assertThat(Instant.parse(heard.get("lastSeenAt").asString())).isEqualTo(clock.instant());

        clock.advance(Duration.ofMinutes(3));
        assertThat(client.lease("refused", FLEET, "not-a-duration").status()).isEqualTo(400);
        JsonNode after = client.jobAfter(job, submitted, "1s", OPERATOR);

        assertThat(client.host("refused", OPERATOR).get("state").asString()).isEqualTo("ONLINE");
        assertThat(after.get("version").asLong())
                .as("the reaper left the job of a host heard from alone")
                .isEqualTo(submitted);
        assertThat(task(after).get("state").asString()).isEqualTo("PENDING");
    }

    @Test
    void aHeartbeatRenewsTheLeaseForAnotherLeaseDuration() {
        register("renewed");
        String job = client.submit(OPERATOR, "renewed", 1);
        JsonNode lease = leased("renewed");

        clock.advance(Duration.ofSeconds(20));
        Response heartbeat = client.heartbeat(
                lease.get("taskId").asString(), lease.get("epoch").asLong(), FLEET);
        long renewed = client.job(job, OPERATOR).get("version").asLong();
        clock.advance(Duration.ofSeconds(20)); // 40 s after the lease, 20 s after the heartbeat
        JsonNode later = client.jobAfter(job, renewed, "600ms", OPERATOR);

        assertThat(heartbeat.status()).isEqualTo(200);
        assertThat(Instant.parse(heartbeat.body().get("leaseExpiresAt").asString()))
                .isEqualTo(clock.instant().minus(Duration.ofSeconds(20)).plus(LEASE));
        assertThat(later.get("version").asLong())
                .as("the job did not change: the renewed lease did not run out")
                .isEqualTo(renewed);
        assertThat(task(later).get("state").asString()).isEqualTo("RUNNING");
        assertThat(task(later).get("attempts").asInt()).isEqualTo(1);
    }

    /** Moves the clock past the job's lease and answers the job as the reaper left it. */
    private JsonNode leaseRunsOut(String job) {
        long version = client.job(job, OPERATOR).get("version").asLong();
        clock.advance(LEASE.plusMillis(1));
        JsonNode after = client.jobAfter(job, version, "10s", OPERATOR);
        assertThat(after.get("version").asLong())
                .as("the reaper changed the job within 10 s")
                .isGreaterThan(version);
        return after;
    }

    private static JsonNode task(JsonNode job) {
        return job.get("tasks").get(0);
    }

    private static void assertStaleEpoch(Response response) {
        assertThat(response.status()).as("%s", response.body()).isEqualTo(409);
        assertThat(response.code()).isEqualTo("STALE_EPOCH");
    }

    private void register(String host) {
        Response registered = client.register(host, FLEET);
        assertThat(registered.status()).as("%s", registered.body()).isEqualTo(200);
    }

    private JsonNode leased(String host) {
        Response lease = client.lease(host, FLEET, "0ms");
        assertThat(lease.status()).as("%s", lease.body()).isEqualTo(200);
        return lease.body();
    }

    @Test
    void aCancelledJobsTaskWhoseLeaseRunsOutIsNotOfferedAgain() {
        register("cancel-expire");
        String job = client.submit(OPERATOR, "cancel-expire", 1);
        leased("cancel-expire");
        assertThat(client.cancel(job, OPERATOR).status()).isEqualTo(202); // CANCELLING, task RUNNING

        JsonNode after = leaseRunsOut(job); // the agent died before it saw the cancel

        Response again = client.lease("cancel-expire", FLEET, "0ms");
        assertThat(again.status())
                .as("a cancelled job's task is leased again: %s", again.body())
                .isEqualTo(204);
        assertThat(task(after).get("state").asString()).isEqualTo("CANCELLED");
        assertThat(after.get("state").asString()).isEqualTo("CANCELLED");
    }
}
