package io.numashift.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Agents' turns at the database: a pool's worth less two at once, the others waiting in order. */
class AgentTurnsTest {
    private static AgentTurns turnsForAPoolOf(int size) {
        HikariDataSource pool = new HikariDataSource(); // configured only, never connected
        pool.setMaximumPoolSize(size);
        return new AgentTurns(pool);
    }

    @Test
    void aRequestWithoutATurnBeforeItsDeadlineGetsTheAnswerForNoTurn() throws Exception {
        AgentTurns turns = turnsForAPoolOf(3); // one turn
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> turns.inTurn(
                    Long.MAX_VALUE,
                    () -> {
                        holding.countDown();
                        await(release);
                        return "first";
                    },
                    () -> "none"));
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();

            String second = turns.inTurn(System.nanoTime() + 50_000_000L, () -> "second", () -> "no turn");

            assertThat(second).isEqualTo("no turn");
            release.countDown();
        }
        assertThat(turns.inTurn(System.nanoTime(), () -> "free again", () -> "no turn"))
                .isEqualTo("free again");
    }

    @Test
    void waitingRequestsGetTheirTurnInTheOrderTheyCame() throws Exception {
        AgentTurns turns = turnsForAPoolOf(3);
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> turns.inTurn(Long.MAX_VALUE, () -> await(release), () -> false));
            Thread.sleep(100);
            for (int i = 0; i < 5; i++) {
                int id = i;
                threads.submit(() -> turns.inTurn(Long.MAX_VALUE, () -> order.add(id), () -> false));
                Thread.sleep(50); // each queues before the next comes
            }
            release.countDown();
        }
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
