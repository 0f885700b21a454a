package io.numashift.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's client against a stand-in HTTP server that answers what the test says: the
 * service's answers when its database is away or it is busy are hard to bring about on cue, and
 * only the client's reading of them is under test here.
 */
class AgentClientTest {
    private HttpServer server;
    private final AtomicReference<String> retryAfter = new AtomicReference<>();
    private final AtomicReference<Integer> status = new AtomicReference<>(503);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "{\"code\":\"UNAVAILABLE\"}".getBytes(StandardCharsets.UTF_8);
            if (retryAfter.get() != null) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter.get());
            }
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private AgentClient client() {
        return new AgentClient(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "t");
    }

    private AgentClient.RefusedException refusal() {
        return catchThrowableOfType(AgentClient.RefusedException.class, () -> client().release(UUID.randomUUID(), 1));
    }

    @Test
    void aRefusalCarriesTheRetryAfterTheServiceAskedFor() {
        retryAfter.set("5");

        AgentClient.RefusedException refused = refusal();

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.retryAfter()).contains(Duration.ofSeconds(5));
    }

    @Test
    void aBusyAnswerCarriesItsRetryAfterToo() {
        status.set(429);
        retryAfter.set("1");

        assertThat(refusal().retryAfter()).contains(Duration.ofSeconds(1));
    }

    @Test
    void noRetryAfterOrOneThatIsNotAWholeNumberOfSecondsLeavesTheBackoffToTheAgent() {
        for (String value : List.of("Wed, 21 Oct 2026 07:28:00 GMT", "-1", "1.5", "99999999999")) {
            retryAfter.set(value);
            assertThat(refusal().retryAfter()).as(value).isEmpty();
        }
        retryAfter.set(null);
        assertThat(refusal().retryAfter()).isEmpty();
    }
}
