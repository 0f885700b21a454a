package io.numashift.service;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfiguration;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The databases the service is tested on.
 *
 * <p>H2 is the default: the service keeps a file database in {@code numashift.data-dir}, which the
 * tests point at a {@code @TempDir}, so every test class starts empty.
 *
 * <p>PostgreSQL is a local server, as on the CI server ({@value #LOCAL_URL}, user {@code
 * postgres}, trust authentication) or, when that is unreachable and Docker runs, a Testcontainers
 * PostgreSQL 15 started once per JVM. A test class annotated {@link OnPostgres} gets a fresh schema
 * for its Spring context ({@code ns_<epoch seconds>_<random>}, through {@code currentSchema} and
 * Flyway's schema settings), dropped when the context closes; so several concurrent runs can
 * share one server. Without a server, the class is skipped with the reason, unless the
 * environment variable {@value #REQUIRE} is {@code true} (as {@code .ci/run} sets it), which turns
 * the skip into a failure so that CI cannot go green without PostgreSQL.
 */
public final class Databases {
    /** A local PostgreSQL, as on the CI server. */
    public static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    /** Set to {@code true} to fail instead of skipping when no PostgreSQL is available. */
    public static final String REQUIRE = "NUMASHIFT_REQUIRE_POSTGRES";

    private static final String LOCAL_USER = "postgres";
    private static final String IMAGE = "postgres:15-alpine";
    private static final Pattern SCHEMA = Pattern.compile("ns_(\\d{10})_[0-9a-f]{8}");
    /** Schemas left by killed runs are dropped once they are this old; no test run lasts that long. */
    private static final Duration ABANDONED = Duration.ofDays(1);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static Optional<Server> server;
    private static String unavailable = "";

    private Databases() {}

    /**
     * Runs a Spring test class against PostgreSQL in a schema of its own, or skips it when no
     * PostgreSQL is available. Put it beside {@code @SpringBootTest} (or on a subclass of an H2 test).
     */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @RequiresPostgres
    @ContextConfiguration(initializers = FreshSchema.class)
    public @interface OnPostgres {}

    /**
     * Runs a test (a class or a method) only when PostgreSQL is available, or skips it with the
     * reason; with {@value #REQUIRE} set, fails it instead. For tests that make their schema with
     * {@link #schema()}.
     */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @ExtendWith(PostgresAvailable.class)
    public @interface RequiresPostgres {}

    /**
     * A new schema of the PostgreSQL, dropped on {@link #close()}.
     *
     * @param server the server
     * @param name the schema's name
     */
    public record Schema(Server server, String name) implements AutoCloseable {
        /** What points the service at this schema, as Spring properties. */
        public Map<String, Object> springProperties() {
            return Map.of(
                    "spring.datasource.url", server.urlOf(name),
                    "spring.datasource.username", server.username(),
                    "spring.datasource.password", server.password(),
                    "spring.flyway.schemas", name,
                    "spring.flyway.default-schema", name);
        }

        /** The same, as {@code key=value} arguments. */
        public String[] properties() {
            return springProperties().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);
        }

        @Override
        public void close() {
            server.execute("drop schema if exists " + name + " cascade");
        }
    }

    /** Creates a schema of its own for a test (after dropping those that killed runs left). */
    public static Schema schema() {
        Server pg = postgres().orElseThrow(() -> new IllegalStateException(unavailable));
        FreshSchema.dropAbandonedSchemas(pg);
        String name =
                "ns_" + Instant.now().getEpochSecond() + "_" + HexFormat.of().toHexDigits(RANDOM.nextInt());
        pg.execute("create schema " + name);
        return new Schema(pg, name);
    }

    /**
     * A reachable PostgreSQL.
     *
     * @param jdbcUrl its database's URL, without a schema
     * @param username the user
     * @param password the password
     * @param description where it runs, for messages
     */
    public record Server(String jdbcUrl, String username, String password, String description) {

        /** The URL of a schema of this server's database: the connection's {@code search_path}. */
        public String urlOf(String schema) {
            return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, username, password);
        }

        public void execute(String sql) {
            try (Connection connection = connect();
                    Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("on " + description + ": " + sql + ": " + e.getMessage(), e);
            }
        }
    }

    /** The PostgreSQL of this run, found (or started) once: the local server, else a container. */
    public static synchronized Optional<Server> postgres() {
        if (server == null) {
            server = find();
        }
        return server;
    }

    private static Optional<Server> find() {
        Server local = new Server(LOCAL_URL + "?connectTimeout=3&loginTimeout=5", LOCAL_USER, "", LOCAL_URL);
        try (Connection connection = local.connect()) {
            if (connection.isValid(5)) {
                return Optional.of(local);
            }
            unavailable = "the PostgreSQL at " + LOCAL_URL + " does not answer";
        } catch (SQLException e) {
            unavailable = "no PostgreSQL at " + LOCAL_URL + " (" + e.getMessage() + ")";
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            unavailable += " and no Docker for Testcontainers; start it with"
                    + " `pg_ctlcluster --skip-systemctl-redirect 15 main start`";
            // Once per run on the console, where a skip would otherwise pass unnoticed.
            System.err.println("numashift tests: PostgreSQL tests skipped: " + unavailable);
            return Optional.empty();
        }
        return Optional.of(container());
    }

    /**
     * A PostgreSQL 15 that Testcontainers starts in a container of the Docker (or podman) it finds,
     * stopped with the JVM: what the PostgreSQL tests use on a machine without a local server.
     */
    public static Server container() {
        PostgreSQLContainer container = new PostgreSQLContainer(IMAGE);
        container.start(); // stopped with the JVM by Testcontainers
        return new Server(
                container.getJdbcUrl(),
                container.getUsername(),
                container.getPassword(),
                "Testcontainers " + IMAGE + " at " + container.getJdbcUrl());
    }

    /** Skips (or, with {@value #REQUIRE}, fails) a test class when there is no PostgreSQL. */
    static final class PostgresAvailable implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<Server> found = postgres();
            if (found.isPresent()) {
                return ConditionEvaluationResult.enabled(
                        "PostgreSQL: " + found.get().description());
            }
            if (Boolean.parseBoolean(System.getenv(REQUIRE))) {
                throw new IllegalStateException(unavailable + "; " + REQUIRE + " is set, so this is a failure");
            }
            return ConditionEvaluationResult.disabled("PostgreSQL tests skipped: " + unavailable);
        }
    }

    /**
     * Points a Spring context at a new schema of the PostgreSQL and drops the schema after
     * everything else of the context (its pool included) was closed.
     */
    static final class FreshSchema implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            Schema schema = schema();
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource("postgres-test-schema", schema.springProperties()));
            // Registered before any bean exists, so destroyed after all of them.
            ((DefaultSingletonBeanRegistry) context.getBeanFactory())
                    .registerDisposableBean("postgresTestSchema", schema::close);
        }

        private static void dropAbandonedSchemas(Server pg) {
            List<String> abandoned = new ArrayList<>();
            try (Connection connection = pg.connect();
                    Statement statement = connection.createStatement();
                    ResultSet rows =
                            statement.executeQuery("select nspname from pg_namespace where nspname like 'ns\\_%'")) {
                while (rows.next()) {
                    Matcher m = SCHEMA.matcher(rows.getString(1));
                    if (m.matches()
                            && Instant.ofEpochSecond(Long.parseLong(m.group(1)))
                                    .isBefore(Instant.now().minus(ABANDONED))) {
                        abandoned.add(m.group());
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot list the schemas of " + pg.description(), e);
            }
            abandoned.forEach(schema -> pg.execute("drop schema if exists " + schema + " cascade"));
        }
    }
}
