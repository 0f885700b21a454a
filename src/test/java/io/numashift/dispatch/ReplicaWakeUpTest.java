package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.NumashiftApplication;
import io.numashift.dispatch.ProtocolClient.Response;
import io.numashift.security.Tokens;
import io.numashift.service.Databases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas on one PostgreSQL schema wake each other's waiters through the database: a lease
 * request waiting on replica B is answered with the task submitted through replica A, and a
 * blocking read on B answers the cancel made through A, each long before their waits (20 s) end.
 * The reaper, which would also find the work, is set to run once an hour, and the service no
 * longer polls for changes: only the notification can wake them.
 */
@Databases.RequiresPostgres
class ReplicaWakeUpTest {
    private static final String OPERATOR = "wake-operator-secret";
    private static final String AGENT = "wake-agent-secret";

    @TempDir
    Path dir;

    @Test
    void aChangeCommittedOnOneReplicaWakesTheWaitersOfTheOther() throws Exception {
        try (Databases.Schema schema = Databases.schema();
                ConfigurableApplicationContext a = start(schema, "a");
                ConfigurableApplicationContext b = start(schema, "b")) {
            ProtocolClient toA = new ProtocolClient(port(a));
            ProtocolClient toB = new ProtocolClient(port(b));
            assertThat(toA.register("w1", AGENT).status()).isEqualTo(200);

            CompletableFuture<Response> waitingOnB = CompletableFuture.supplyAsync(() -> toB.lease("w1", AGENT, "20s"));
            Thread.sleep(500);
            long submitted = System.nanoTime();
            String job = toA.submit(OPERATOR, "w1", 1);
            Response lease = waitingOnB.get(30, TimeUnit.SECONDS);
            Duration leasedIn = Duration.ofNanos(System.nanoTime() - submitted);

            assertThat(lease.status()).isEqualTo(200);
            assertThat(lease.body().get("jobId").asString()).isEqualTo(job);
            assertThat(leasedIn)
                    .as("woken by A's notification, not the end of the wait")
                    .isLessThan(Duration.ofSeconds(10));

            long version = toB.job(job, OPERATOR).get("version").asLong();
            CompletableFuture<JsonNode> readOnB =
                    CompletableFuture.supplyAsync(() -> toB.jobAfter(job, version, "20s", OPERATOR));
            Thread.sleep(500);
            long cancelled = System.nanoTime();
            assertThat(toA.cancel(job, OPERATOR).status()).isEqualTo(202);
            JsonNode changed = readOnB.get(30, TimeUnit.SECONDS);
            Duration readIn = Duration.ofNanos(System.nanoTime() - cancelled);

            assertThat(changed.get("state").asString()).isEqualTo("CANCELLING");
            assertThat(readIn)
                    .as("woken by A's notification, not the end of the wait")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }

    private ConfigurableApplicationContext start(Databases.Schema schema, String name) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--numashift.data-dir=" + dir.resolve(name),
                "--numashift.sim.embedded-agents=false",
                "--numashift.dispatch.reap-interval=1h",
                "--numashift.security.tokens[0].name=ops",
                "--numashift.security.tokens[0].sha256=" + Tokens.sha256Hex(OPERATOR),
                "--numashift.security.tokens[0].roles=OPERATOR",
                "--numashift.security.tokens[1].name=agent",
                "--numashift.security.tokens[1].sha256=" + Tokens.sha256Hex(AGENT),
                "--numashift.security.tokens[1].roles=AGENT",
                "--numashift.security.tokens[1].hosts=w1"));
        for (String property : schema.properties()) {
            args.add("--" + property);
        }
        return SpringApplication.run(NumashiftApplication.class, args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
