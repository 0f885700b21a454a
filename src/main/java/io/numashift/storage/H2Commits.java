package io.numashift.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

/**
 * On an H2 file database, a transaction that committed is written to the file before the service
 * answers: every commit waits for an H2 {@code CHECKPOINT} that began after it, which stores what
 * is not yet stored.
 *
 * <p>H2 commits into memory and writes to its file from a background thread up to {@code
 * WRITE_DELAY} (500 ms) later, so a killed process used to take the last half second of
 * acknowledged jobs and results with it. {@code WRITE_DELAY=0} writes at commit too, but stops that
 * thread, which is also the only one that compacts the file: the file then grew a hundredfold and
 * reads slowed down. Here the thread keeps compacting, and each commit is written at once.
 * Written means handed to the operating system (it outlives the process), not flushed to the disk:
 * see "What survives a crash" in docs/design.md.
 *
 * <p>Commits are written in groups: one checkpoint at a time runs, on the connection of a
 * transaction that waits for it, and stores every commit made before it began; the commits that
 * arrive meanwhile wait for the next one, which one of them runs. Under load one checkpoint serves
 * many commits instead of each commit queueing for its own.
 *
 * <p>PostgreSQL, and H2 in memory, need none of it: nothing is done for them.
 */
@Component
class H2Commits implements TransactionExecutionListener {
    private final DataSource dataSource;
    private final boolean h2File;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    /** Commits counted so far. */
    private long committed;
    /** Every commit up to this count is written. */
    private long writtenUpTo;
    /** Whether a checkpoint is running. */
    private boolean writing;

    H2Commits(DataSource dataSource, @Value("${spring.datasource.url:}") String url) {
        this.dataSource = dataSource;
        this.h2File = url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:");
    }

    @Override
    public void afterCommit(TransactionExecution transaction, @Nullable Throwable failure) {
        if (!h2File || failure != null || transaction.isReadOnly()) {
            return;
        }
        lock.lock();
        try {
            long mine = ++committed;
            while (writtenUpTo < mine) {
                if (writing) {
                    written.awaitUninterruptibly();
                    continue;
                }
                // Run the next checkpoint: it stores every commit counted before it begins.
                writing = true;
                long upTo = committed;
                boolean done = false;
                lock.unlock();
                try {
                    checkpoint();
                    done = true;
                } finally {
                    lock.lock();
                    writing = false;
                    if (done) {
                        writtenUpTo = Math.max(writtenUpTo, upTo);
                    }
                    written.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkpoint() {
        // The transaction's own connection, which is still held (it returns to the pool after
        // this), so that a commit never waits for a second connection.
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try (Statement checkpoint = connection.createStatement()) {
            checkpoint.execute("CHECKPOINT");
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("the commit could not be written to the database file", e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }
}
