package io.numashift.dispatch;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Agents take turns at the database: at most a pool's worth of agent requests, less two
 * connections kept for everyone else, use the database at once, in the order they came; the others
 * wait here rather than in the connection pool. A burst (the agents of ten thousand hosts woken by
 * one job, and their results) then queues without running into the pool's timeout, which would
 * answer {@code 429} and have every agent come back for more, and without taking every connection
 * from submits, reads and the reaper.
 */
@Component
public class AgentTurns {
    /** How long a report waits for its turn before it is answered {@code 429}. */
    static final Duration REPORT_WAIT = Duration.ofSeconds(20);

    private final Semaphore turns;

    AgentTurns(DataSource dataSource) {
        int pool = dataSource instanceof HikariDataSource hikari ? hikari.getMaximumPoolSize() : 10;
        this.turns = new Semaphore(Math.max(1, pool - 2), true);
    }

    /** Runs {@code work} in a turn, waiting for one until {@code deadline} ({@code System.nanoTime}). */
    <T> T inTurn(long deadline, Supplier<T> work, Supplier<T> noTurn) {
        boolean got;
        try {
            got = turns.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return noTurn.get();
        }
        if (!got) {
            return noTurn.get();
        }
        try {
            return work.get();
        } finally {
            turns.release();
        }
    }

    /**
     * Runs a report's {@code work} in a turn.
     *
     * @throws BusyException when no turn came within {@link #REPORT_WAIT}
     */
    <T> T inTurn(Supplier<T> work) {
        return inTurn(System.nanoTime() + REPORT_WAIT.toNanos(), work, () -> {
            throw new BusyException("the service is busy with other agents' reports; report again in a second");
        });
    }

    /** No turn came in time: the request changed nothing; the agent sends it again. */
    public static final class BusyException extends RuntimeException {
        BusyException(String message) {
            super(message);
        }
    }
}
