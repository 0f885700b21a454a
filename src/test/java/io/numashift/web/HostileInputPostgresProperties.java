package io.numashift.web;

import io.numashift.service.Databases;
import java.util.List;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.jspecify.annotations.Nullable;

/**
 * {@link HostileInputContract} on PostgreSQL, in a schema of its own ({@link Databases#schema()}):
 * PostgreSQL refuses what H2 stores (a NUL character in text), so what reaches the database must be
 * checked on both. Skipped without a PostgreSQL, unless {@value Databases#REQUIRE} is {@code true}.
 */
@PropertyDefaults(tries = 1000)
@AddLifecycleHook(HostileInputPostgresProperties.WithPostgres.class)
class HostileInputPostgresProperties extends HostileInputContract {
    private static Databases.@Nullable Schema schema;

    @BeforeContainer
    static void startService() {
        schema = Databases.schema();
        start("PostgreSQL", List.of(schema.properties()));
    }

    @AfterContainer
    static void stopService() {
        stop();
        if (schema != null) {
            schema.close();
            schema = null;
        }
    }

    /**
     * Skips the class when no PostgreSQL answers; with {@value Databases#REQUIRE} set, runs it, so
     * that it fails. jqwik does not run the JUnit extension of {@link Databases.RequiresPostgres}.
     */
    static final class WithPostgres implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            if (Databases.postgres().isPresent() || "true".equals(System.getenv(Databases.REQUIRE))) {
                return SkipResult.doNotSkip();
            }
            return SkipResult.skip("no PostgreSQL to run on (see Databases)");
        }
    }
}
