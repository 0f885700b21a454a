package io.numashift.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * A request that gave up waiting for a connection, with no failure recorded by the pool, is busy
 * (429) only when every connection of the pool was in use. Hikari forgets its last connection
 * failure as soon as one connection succeeds, so a request that waited through a database outage
 * can time out without a cause just as the database comes back, while the pool is nearly empty:
 * that is the outage (503), not a busy service. A real pool on an in-memory H2; the timeout is the
 * exception Hikari raises, built here because its timing cannot be arranged.
 */
class PoolTimeoutTest {
    private static final MockHttpServletRequest REQUEST = new MockHttpServletRequest("GET", "/api/v1/jobs");

    @Test
    void aTimeoutWithRoomInThePoolIsTheDatabaseAwayAndWithEveryConnectionTakenIsBusy() throws Exception {
        try (HikariDataSource pool = new HikariDataSource()) {
            pool.setJdbcUrl("jdbc:h2:mem:pool-timeout");
            pool.setMaximumPoolSize(2);
            pool.getConnection().close(); // the pool starts on its first use, as the service's does
            StaticListableBeanFactory beans = new StaticListableBeanFactory();
            beans.addBean("dataSource", pool);
            ApiErrors errors = new ApiErrors(beans.getBeanProvider(javax.sql.DataSource.class));
            CannotCreateTransactionException timeout = new CannotCreateTransactionException(
                    "Could not open JDBC Connection",
                    new SQLTransientConnectionException("pool - Connection is not available, request timed out"));

            ResponseEntity<ProblemDetail> withRoom = errors.database(timeout, REQUEST);

            assertThat(withRoom.getStatusCode().value()).isEqualTo(503);
            assertThat(withRoom.getBody().getProperties()).containsEntry("code", "UNAVAILABLE");

            List<Connection> taken = new ArrayList<>();
            try {
                taken.add(pool.getConnection());
                taken.add(pool.getConnection());

                ResponseEntity<ProblemDetail> full = errors.database(timeout, REQUEST);

                assertThat(full.getStatusCode().value()).isEqualTo(429);
                assertThat(full.getHeaders().getFirst("Retry-After")).isEqualTo("1");
                assertThat(full.getBody().getProperties()).containsEntry("code", "BUSY");
            } finally {
                for (Connection connection : taken) {
                    connection.close();
                }
            }
        }
    }
}
