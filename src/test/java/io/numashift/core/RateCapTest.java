package io.numashift.core;

import static io.numashift.core.TestHosts.HEAP;
import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A migration capped at {@code maxMiBPerSecond} moves at that rate, in slices, on a host that could
 * move much faster; a cancel still stops it within a slice; the result says the rate it ran at.
 * The host and the engine share a simulated clock, so the test takes no real time.
 */
class RateCapTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long PAGES = 20_000;
    /** The host's own pace: 100,000 pages (390 MiB) a second. */
    private static final double HOST_PAGES_PER_SECOND = 100_000;

    private static MigrationResult migrate(Integer maxMiBPerSecond, SimulatedTime time, ReportsInTime batches) {
        SimulatedHost host = SimulatedHost.create(
                HostSpec.of("h", TestHosts.nodes(2, 2 * PAGES))
                        .withPagesPerSecond(HOST_PAGES_PER_SECOND)
                        .withProcesses(List.of(
                                ProcessSpec.of(PID, List.of(VmaSpec.anon(HEAP, PAGES, Map.of(0, PAGES)))))),
                time);
        return new MigrationEngine(host, MigrationEngine.DEFAULT_BATCH_PAGES, time::nanoTime, time::sleepNanos)
                .migrate(
                        MigrationRequest.of(PID, List.of(0), List.of(1))
                                .withOptions(MigrationOptions.DEFAULTS.withMaxMiBPerSecond(maxMiBPerSecond)),
                        JobScope.single(PID),
                        batches);
    }

    @Test
    void aCappedMigrationMovesAtItsRateInSlices() {
        SimulatedTime time = new SimulatedTime(0);
        ReportsInTime batches = new ReportsInTime(time, Long.MAX_VALUE);

        MigrationResult result = migrate(10, time, batches);

        // 10 MiB/s of 4 KiB pages: 2,560 pages a second, 128 in a 50 ms slice.
        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesMoved()).isEqualTo(PAGES);
        assertThat(result.mibPerSecond()).isCloseTo(10.0, within(1.0));
        assertThat(time.now / (double) SECOND).isCloseTo(PAGES / 2560.0, within(PAGES / 2560.0 / 10));
        assertThat(batches.largest()).isLessThanOrEqualTo(128);
        assertThat(result.cpuSeconds()).isNotNull().isNotNegative();
    }

    @Test
    void theCpuTimeOfAMigrationOnAVirtualThreadIsAbsentNotZero() throws Exception {
        SimulatedTime time = new SimulatedTime(0);
        MigrationResult[] result = new MigrationResult[1];

        Thread.ofVirtual()
                .start(() -> result[0] = migrate(null, time, new ReportsInTime(time, Long.MAX_VALUE)))
                .join();

        assertThat(result[0].pagesMoved()).isEqualTo(PAGES);
        assertThat(result[0].cpuSeconds()).isNull();
    }

    @Test
    void withoutACapTheHostsOwnPaceDecides() {
        SimulatedTime time = new SimulatedTime(0);

        MigrationResult result = migrate(null, time, new ReportsInTime(time, Long.MAX_VALUE));

        assertThat(result.pagesMoved()).isEqualTo(PAGES);
        assertThat(result.mibPerSecond()).isGreaterThan(300.0);
        assertThat(time.now).isLessThan(SECOND);
    }

    @Test
    void aCancelStopsACappedMigrationWithinASlice() {
        SimulatedTime time = new SimulatedTime(0);

        MigrationResult result = migrate(10, time, new ReportsInTime(time, 2 * SECOND));

        assertThat(result.status()).isEqualTo(MigrationStatus.CANCELLED);
        assertThat(result.pagesMoved()).isBetween(2 * 2560L - 128, 2 * 2560L + 128);
        assertThat(time.now).isLessThanOrEqualTo(2 * SECOND + RateCap.STEP_NANOS);
    }
}
