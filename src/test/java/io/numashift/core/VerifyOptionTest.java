package io.numashift.core;

import static io.numashift.core.TestHosts.PID;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.Errno;
import io.numashift.core.backend.NumaBackend;
import io.numashift.sim.SimulatedHost;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a migration proves afterwards ({@code verify}): the placement read back (the default), the
 * content digests too, or nothing but the moves' own counts; the result says which was done, and
 * digests are absent unless content was verified. The simulated host is wrapped to count what the
 * engine asks of it, so that a verification not asked for is seen not to be done.
 */
class VerifyOptionTest {

    /** The host's calls by method name. */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    private NumaBackend counted(SimulatedHost host) {
        return (NumaBackend) Proxy.newProxyInstance(
                NumaBackend.class.getClassLoader(), new Class<?>[] {NumaBackend.class}, (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), name -> new AtomicInteger())
                            .incrementAndGet();
                    try {
                        return method.invoke(host, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private int calls(String method) {
        return calls.getOrDefault(method, new AtomicInteger()).get();
    }

    private MigrationResult migrate(SimulatedHost host, MigrationOptions options) {
        calls.clear();
        return new MigrationEngine(counted(host))
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(1)).withOptions(options));
    }

    @Test
    void byDefaultThePlacementIsReadBackAndNoDigestIsTaken() {
        SimulatedHost host = TestHosts.withHeap(2, 100, Map.of(0, 40L));

        MigrationResult result = migrate(host, MigrationOptions.DEFAULTS);

        assertThat(MigrationOptions.DEFAULTS.verify()).isEqualTo(Verify.PLACEMENT);
        assertThat(result.verify()).isEqualTo(Verify.PLACEMENT);
        assertThat(result.placementAfter()).containsExactlyEntriesOf(Map.of(1, 40L));
        assertThat(result.contentDigestBefore()).isNull();
        assertThat(result.contentDigestAfter()).isNull();
        assertThat(calls("digest")).isZero();
    }

    @Test
    void contentVerificationDigestsThePagesBeforeAndAfter() {
        SimulatedHost host = TestHosts.withHeap(2, 100, Map.of(0, 40L));

        MigrationResult result = migrate(host, MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT));

        assertThat(result.verify()).isEqualTo(Verify.CONTENT);
        assertThat(result.contentDigestBefore()).isNotNull().isEqualTo(result.contentDigestAfter());
        assertThat(result.placementAfter()).containsExactlyEntriesOf(Map.of(1, 40L));
        assertThat(calls("digest")).isPositive();
    }

    @Test
    void noVerificationReadsNothingBackAndCountsFromTheMoves() {
        SimulatedHost placementHost = TestHosts.withHeap(2, 100, Map.of(0, 40L));
        migrate(placementHost, MigrationOptions.DEFAULTS);
        int censusesWithReadBack = calls("census");
        SimulatedHost host = TestHosts.withHeap(2, 100, Map.of(0, 40L));

        MigrationResult result = migrate(host, MigrationOptions.DEFAULTS.withVerify(Verify.NONE));

        assertThat(result.verify()).isEqualTo(Verify.NONE);
        assertThat(result.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(result.pagesMoved()).isEqualTo(40);
        assertThat(result.placementAfter()).containsExactlyEntriesOf(Map.of(1, 40L));
        assertThat(result.pagesLeftOnOldNodes()).isZero();
        assertThat(result.contentDigestBefore()).isNull();
        assertThat(calls("digest")).isZero();
        assertThat(calls("census"))
                .as("the scan's censuses, without the read-back's")
                .isPositive()
                .isLessThan(censusesWithReadBack);
        for (int page = 0; page < 40; page++) {
            assertThat(host.nodeOf(PID, TestHosts.address(page))).isEqualTo(1);
        }
    }

    @Test
    void aRollbackIsReadBackEvenWhenNoVerificationWasAsked() {
        SimulatedHost host = TestHosts.withHeap(2, 30, Map.of(0, 30L, 1, 20L));

        MigrationResult result =
                migrate(host, MigrationOptions.DEFAULTS.withVerify(Verify.NONE).withOnFailure(OnFailure.ROLLBACK));

        assertThat(result.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(result.rolledBack()).isEqualTo(10);
        assertThat(result.verify()).isEqualTo(Verify.PLACEMENT);
        assertThat(result.placementAfter()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 30L, 1, 20L));
    }

    @Test
    void aDryRunAndARefusedMigrationVerifyNothing() {
        SimulatedHost host = TestHosts.withHeap(2, 100, Map.of(0, 40L));

        MigrationResult dryRun = migrate(
                host, MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT).withDryRun(true));
        MigrationResult refused = new MigrationEngine(host)
                .migrate(MigrationRequest.of(PID, List.of(0), List.of(7))
                        .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT)));

        assertThat(dryRun.verify()).isEqualTo(Verify.NONE);
        assertThat(dryRun.contentDigestBefore()).isNull();
        assertThat(calls("digest")).isZero();
        assertThat(refused.errno()).isEqualTo(Errno.ENODEV);
        assertThat(refused.verify()).isEqualTo(Verify.NONE);
        assertThat(refused.contentDigestBefore()).isNull();
    }
}
