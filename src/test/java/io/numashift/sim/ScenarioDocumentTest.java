package io.numashift.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.MigrationWarning;
import io.numashift.core.SkipReason;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PolicyMode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps docs/scenario.md true. Every YAML block of the page is a whole scenario that the loader
 * accepts, unless a {@code text} block follows it with nothing but blank lines between: then that
 * block is the exact message the scenario is refused with, loaded as {@value #SOURCE}. The page's
 * first example migrates as its section "What a migration of the example does" says.
 */
class ScenarioDocumentTest {
    private static final Path PAGE = Path.of("docs", "scenario.md");
    private static final String SOURCE = "cluster.yaml";
    private static final int PID = 4242;
    private static final int OUTSIDER = 4300;

    /** A fenced block of the page: its info string, its text, and the lines of its fences (from 1). */
    private record Block(String info, String text, int line, int end) {}

    private static List<Block> blocks() throws IOException {
        List<String> lines = Files.readAllLines(PAGE);
        List<Block> blocks = new ArrayList<>();
        String info = null;
        int opened = 0;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("```")) {
                if (info != null) {
                    text.append(line).append('\n');
                }
            } else if (info == null) {
                info = line.substring(3).strip();
                opened = i + 1;
                text.setLength(0);
            } else {
                blocks.add(new Block(info, text.toString(), opened, i + 1));
                info = null;
            }
        }
        assertThat(info).as("a fence of %s left open at line %s", PAGE, opened).isNull();
        return blocks;
    }

    /** The first YAML block of docs/scenario.md: its example of every field. */
    static String firstExample() throws IOException {
        return blocks().stream()
                .filter(b -> b.info().equals("yaml"))
                .findFirst()
                .orElseThrow()
                .text();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleIsAcceptedOrRefusedWithTheMessageThatFollowsIt() throws IOException {
        List<Block> blocks = blocks();
        List<DynamicTest> tests = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            if (!block.info().equals("yaml")) {
                continue;
            }
            Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : null;
            if (next != null && next.info().equals("text") && onlyBlankLinesBetween(block, next)) {
                refused++;
                String message = next.text().strip();
                tests.add(DynamicTest.dynamicTest(
                        "line " + block.line() + " is refused: " + message,
                        () -> assertThatThrownBy(() -> ScenarioLoader.load(new StringReader(block.text()), SOURCE))
                                .isInstanceOf(ScenarioException.class)
                                .hasMessage(message)));
            } else {
                tests.add(DynamicTest.dynamicTest(
                        "line " + block.line() + " is accepted",
                        () -> assertThatCode(() -> ScenarioLoader.load(new StringReader(block.text()), SOURCE))
                                .doesNotThrowAnyException()));
            }
        }
        assertThat(tests.size() - refused).as("accepted examples in %s", PAGE).isPositive();
        assertThat(refused).as("refused examples in %s", PAGE).isGreaterThanOrEqualTo(5);
        return tests.stream();
    }

    private static boolean onlyBlankLinesBetween(Block first, Block second) throws IOException {
        List<String> lines = Files.readAllLines(PAGE);
        return lines.subList(first.end(), second.line() - 1).stream().allMatch(String::isBlank);
    }

    @Test
    void theMigrationOfTheFirstExampleCountsWhatThePageSays() throws IOException {
        SimulatedHost host = exampleHost();

        MigrationResult result =
                swap(host, List.of(PID), MigrationOptions.DEFAULTS).getFirst();

        assertThat(result.status()).isEqualTo(MigrationStatus.PARTIAL);
        assertThat(result.pagesScanned()).isEqualTo(1034);
        assertThat(result.pagesMoved()).isEqualTo(920);
        assertThat(result.pagesNotPresent()).isEqualTo(100);
        assertThat(result.pagesSkipped())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(SkipReason.XATTR_LIB_READONLY, 16L, SkipReason.SHARED, 64L, SkipReason.XATTR_NONE, 32L));
        assertThat(result.pagesFailed()).isEqualTo(Map.of(Errno.EBUSY, 2L));
        assertThat(result.moves())
                .containsExactlyInAnyOrder(
                        new MigrationResult.NodePairPages(0, 1, 612), new MigrationResult.NodePairPages(1, 0, 308));
        assertThat(result.placementBefore()).isEqualTo(Map.of(0, 660L, 1, 374L));
        assertThat(result.placementAfter()).isEqualTo(Map.of(0, 356L, 1, 678L));
        assertThat(result.policyAfter()).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(1, 0)));
        assertThat(host.vmas(PID))
                .filteredOn(v -> v.start() == 0x40000000L)
                .extracting(v -> v.policy())
                .containsExactly(new MemoryPolicy(PolicyMode.PREFERRED, List.of(0)));
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void withMoveSharedTheSegmentMovesForBothProcesses() throws IOException {
        SimulatedHost host = exampleHost();

        MigrationResult result = swap(host, List.of(PID), MigrationOptions.DEFAULTS.withMoveShared(true))
                .getFirst();

        assertThat(result.pagesMoved()).isEqualTo(920 + 64);
        assertThat(host.nodeOf(OUTSIDER, 0x20000000L)).isZero();
    }

    @Test
    void withBothProcessesAsTargetsTheSegmentMovesOnceAndTheSecondIsWarned() throws IOException {
        SimulatedHost host = exampleHost();

        List<MigrationResult> results = swap(host, List.of(OUTSIDER, PID), MigrationOptions.DEFAULTS);

        assertThat(results).extracting(MigrationResult::pid).containsExactly(PID, OUTSIDER);
        assertThat(results.get(0).pagesMoved()).isEqualTo(920 + 64);
        assertThat(results.get(1).skipped(SkipReason.ALREADY_MIGRATED)).isEqualTo(64);
        assertThat(results.get(1).warnings()).containsExactly(MigrationWarning.CPU_ON_OLD_NODE);
    }

    private static SimulatedHost exampleHost() throws IOException {
        return ScenarioLoader.load(new StringReader(firstExample()), SOURCE)
                .host("n001")
                .orElseThrow();
    }

    /** The page's migration: the targets of one job, nodes [0, 1] to [1, 0]. */
    private static List<MigrationResult> swap(SimulatedHost host, List<Integer> pids, MigrationOptions options) {
        return new MigrationEngine(host)
                .migrateAll(
                        pids,
                        MigrationRequest.of(0, List.of(0, 1), List.of(1, 0)).withOptions(options),
                        MigrationMonitor.NONE);
    }
}
