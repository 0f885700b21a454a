package io.numashift.jobs;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Replicas sharing one PostgreSQL database wake each other's waiters at once, with PostgreSQL's
 * {@code LISTEN}/{@code NOTIFY}: every job change sends a notification in its own transaction (so
 * it is delivered when, and only if, the change commits), and each replica listens on a connection
 * of its own and turns what it hears into {@link ChangedElsewhere} events, which wake blocking reads,
 * event streams and waiting lease requests. The channel is named after the schema, so services on
 * other schemas of the same database do not hear each other. On H2 (one process) this does
 * nothing: changes wake waiters in process.
 *
 * <p>A notification names the job and the hosts the change gave work to; when they do not fit in
 * one (PostgreSQL takes 8,000 bytes), it says so and listeners look again for work. When the
 * listening connection breaks, it is opened again and every waiter looks again, since a
 * notification may have been missed.
 */
@Component
class ReplicaNotifications implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ReplicaNotifications.class);
    private static final int MAX_PAYLOAD = 7_900;
    private static final String EVERY_HOST = "*";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final ApplicationEventPublisher events;
    private volatile boolean running;
    private volatile String channel = "";
    private Thread listener;

    ReplicaNotifications(DataSource dataSource, JdbcTemplate jdbc, ApplicationEventPublisher events) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.events = events;
    }

    private boolean onPostgres() {
        return dataSource instanceof HikariDataSource hikari
                && hikari.getJdbcUrl() != null
                && hikari.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    @Override
    public void start() {
        if (!onPostgres()) {
            return;
        }
        channel = "numashift_" + jdbc.queryForObject("select current_schema()", String.class);
        running = true;
        listener = Thread.ofVirtual().name("replica-notifications").start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Sends the change to the other replicas, inside the transaction that makes it. */
    @EventListener
    void on(JobChanged change) {
        if (!running) {
            return;
        }
        String hosts = String.join(",", change.hostsWithWork());
        String payload = change.jobId() + "|" + (hosts.length() > MAX_PAYLOAD ? EVERY_HOST : hosts);
        jdbc.query("select pg_notify(?, ?)", (ResultSet rs) -> null, channel, payload);
    }

    private void listen() {
        HikariDataSource hikari = (HikariDataSource) dataSource;
        Properties credentials = new Properties();
        if (hikari.getUsername() != null) {
            credentials.setProperty("user", hikari.getUsername());
        }
        if (hikari.getPassword() != null) {
            credentials.setProperty("password", hikari.getPassword());
        }
        while (running) {
            try (Connection connection = DriverManager.getConnection(hikari.getJdbcUrl(), credentials);
                    Statement statement = connection.createStatement()) {
                statement.execute("listen " + channel);
                // Whatever was sent while nobody listened is lost: every waiter looks again.
                events.publishEvent(ChangedElsewhere.anything());
                PGConnection postgres = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] heard = postgres.getNotifications(1_000);
                    if (heard != null) {
                        Arrays.stream(heard).map(PGNotification::getParameter).forEach(this::heard);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("listening to other replicas failed ({}); trying again in 1 s", e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void heard(String payload) {
        int bar = payload.indexOf('|');
        try {
            UUID job = UUID.fromString(payload.substring(0, Math.max(bar, 0)));
            String hosts = payload.substring(bar + 1);
            if (hosts.equals(EVERY_HOST)) {
                events.publishEvent(ChangedElsewhere.anything());
            } else {
                Set<String> names = hosts.isEmpty()
                        ? Set.of()
                        : Arrays.stream(hosts.split(",")).collect(Collectors.toSet());
                events.publishEvent(new ChangedElsewhere(job, names));
            }
        } catch (IllegalArgumentException e) {
            log.warn("ignored a notification that is not a job change: {}", e.getMessage());
        }
    }
}
