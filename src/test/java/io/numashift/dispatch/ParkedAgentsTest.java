package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient.Response;
import jakarta.persistence.EntityManagerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Agents waiting in lease requests cost the database almost nothing: while fifty of them wait, the
 * service runs its rounds (the reaper's look for work, one statement marking every waiting host
 * seen) and nothing per agent, and every waiting host stays {@code ONLINE}. The statements are
 * counted by Hibernate's statistics on the real service.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "numashift.sim.embedded-agents=false",
            "numashift.hosts.unknown-after=900ms",
            "numashift.hosts.offline-after=1h",
            "spring.jpa.properties.hibernate.generate_statistics=true"
        })
class ParkedAgentsTest {
    private static final String OPERATOR = "operator-secret";
    private static final String FLEET = "parked-fleet-secret";
    private static final int AGENTS = 50;
    private static final List<String> HOSTS =
            IntStream.range(0, AGENTS).mapToObj(i -> "p" + i).toList();

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        AgentProtocolTest.token(registry, 0, "ops", OPERATOR, "OPERATOR", "");
        AgentProtocolTest.token(registry, 1, "fleet", FLEET, "AGENT", String.join(",", HOSTS));
    }

    @LocalServerPort
    int port;

    @Autowired
    EntityManagerFactory database;

    @Test
    void waitingAgentsCostRoundsNotStatementsPerAgentAndStayOnline() throws Exception {
        ProtocolClient client = new ProtocolClient(port);
        for (String host : HOSTS) {
            assertThat(client.register(host, FLEET).status()).isEqualTo(200);
        }
        Statistics statistics = database.unwrap(SessionFactory.class).getStatistics();
        try (ExecutorService agents = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Response>> waiting = new ArrayList<>();
            for (String host : HOSTS) {
                waiting.add(agents.submit(() -> client.lease(host, FLEET, "6s")));
            }
            Thread.sleep(1_500); // every request parked, the reaper has looked for work once
            long before = statistics.getPrepareStatementCount();
            Thread.sleep(3_000);
            long statements = statistics.getPrepareStatementCount() - before;

            // Three reaper rounds of three queries and about ten rounds marking hosts seen; a
            // statement per waiting agent per round would be hundreds.
            assertThat(statements)
                    .as("statements in 3 s with %d agents waiting", AGENTS)
                    .isLessThan(AGENTS);
            Instant now = Instant.now();
            for (String host : List.of("p0", "p17", "p49")) {
                assertThat(client.host(host, OPERATOR).get("state").asString()).isEqualTo("ONLINE");
                assertThat(Instant.parse(
                                client.host(host, OPERATOR).get("lastSeenAt").asString()))
                        .isAfter(now.minusMillis(900));
            }

            // Work for one of them still wakes it at once.
            String job = client.submit(OPERATOR, "p17", 1);
            Response leased = waiting.get(17).get(3, TimeUnit.SECONDS);
            assertThat(leased.status()).isEqualTo(200);
            assertThat(leased.body().get("jobId").asString()).isEqualTo(job);
            Set<Integer> others = waiting.stream()
                    .filter(f -> f != waiting.get(17))
                    .map(f -> {
                        try {
                            return f.get(10, TimeUnit.SECONDS).status();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .collect(Collectors.toSet());
            assertThat(others).containsOnly(204);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> client.host("p3", OPERATOR).get("state").asString().equals("UNKNOWN"));
    }
}
