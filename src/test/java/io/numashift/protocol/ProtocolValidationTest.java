package io.numashift.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.MigrationWarning;
import io.numashift.core.SkipReason;
import io.numashift.core.Verify;
import io.numashift.core.backend.Errno;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The field rules of what agents send, as plain Bean Validation: valid bodies pass, each fault is named. */
class ProtocolValidationTest {
    private static ValidatorFactory factory;
    private static Validator validator;

    @BeforeAll
    static void validator() {
        factory = Validation.buildDefaultValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void close() {
        factory.close();
    }

    private static HostTopology topology() {
        return new HostTopology(
                List.of(
                        new HostTopology.NodeView(0, 1000, 500, List.of(0, 1)),
                        new HostTopology.NodeView(1, 1000, 1000, List.of(2, 3))),
                List.of(List.of(10, 20), List.of(20, 10)));
    }

    private static ProcessReport report(int pid) {
        return new ProcessReport(
                pid,
                MigrationStatus.SUCCEEDED,
                null,
                null,
                10,
                4,
                0,
                Map.of(SkipReason.SHARED, 1L),
                Map.of(),
                List.of(new MigrationResult.NodePairPages(0, 1, 4)),
                List.of(),
                new TreeMap<>(Map.of(0, 10L)),
                new TreeMap<>(Map.of(0, 6L, 1, 4L)),
                0,
                Verify.CONTENT,
                "d",
                "d",
                null,
                null,
                0,
                0,
                List.of(MigrationWarning.CPU_ON_OLD_NODE),
                null,
                0.01,
                12.5,
                List.of(new ProcessReport.VmaReport(
                        "0x400000", "0x401000", "[heap]", MigrationResult.VmaAction.MIGRATED, null)));
    }

    private static Set<String> fields(Object body) {
        Set<String> fields = new TreeSet<>();
        for (ConstraintViolation<Object> violation : validator.validate(body)) {
            fields.add(violation.getPropertyPath().toString());
        }
        return fields;
    }

    @Test
    void validBodiesPass() {
        assertThat(fields(new Registration("linux", "0.1.0", 4096, topology()))).isEmpty();
        assertThat(fields(new Heartbeat(1, new TaskProgress(2, 1, 10, 5, 0, 0), topology())))
                .isEmpty();
        assertThat(fields(new Heartbeat(1, TaskProgress.NONE, null))).isEmpty();
        assertThat(fields(new Result(3, List.of(report(10), report(11)), null, null)))
                .isEmpty();
        assertThat(fields(new Result(3, List.of(), "AGENT_ERROR", "the agent failed")))
                .isEmpty();
        assertThat(fields(new Release(1))).isEmpty();
    }

    @Test
    void aRegistrationNamesEachBadField() {
        assertThat(fields(new Registration("Linux!", "0.1.0", 4096, topology())))
                .containsExactly("backend");
        assertThat(fields(new Registration("linux", "0.1 0", 4096, topology()))).containsExactly("agentVersion");
        assertThat(fields(new Registration("linux", "0.1.0", 256, topology()))).containsExactly("pageSize");
        assertThat(fields(new Registration("linux", "0.1.0", 4096, null))).containsExactly("topology");
    }

    @Test
    void aTopologyNamesEachBadField() {
        var nodes = new ArrayList<>(topology().nodes());
        nodes.set(1, new HostTopology.NodeView(0, 1000, 2000, List.of(1, -2)));
        assertThat(fields(new Registration(
                        "linux",
                        "0.1.0",
                        4096,
                        new HostTopology(nodes, topology().distances()))))
                .containsExactly(
                        "topology.nodes[1].cpus",
                        "topology.nodes[1].cpus[1].<list element>",
                        "topology.nodes[1].freePages",
                        "topology.nodes[1].id");
        assertThat(fields(new Registration(
                        "linux", "0.1.0", 4096, new HostTopology(topology().nodes(), List.of(List.of(10, 0))))))
                .containsExactly("topology.distances", "topology.distances[0].<list element>[1].<list element>");
        assertThat(fields(new Registration("linux", "0.1.0", 4096, new HostTopology(List.of(), List.of()))))
                .containsExactly("topology.nodes");
    }

    @Test
    void aHeartbeatNamesEachBadField() {
        assertThat(fields(new Heartbeat(0, TaskProgress.NONE, null))).containsExactly("epoch");
        assertThat(fields(new Heartbeat(1, null, null))).containsExactly("progress");
        assertThat(fields(new Heartbeat(1, new TaskProgress(-1, 0, 0, -5, 0, 0), null)))
                .containsExactly("progress.pagesMoved", "progress.processesTotal");
    }

    @Test
    void aResultNamesEachBadField() {
        assertThat(fields(new Result(0, List.of(), null, null))).containsExactly("epoch");
        assertThat(fields(new Result(1, null, null, null))).containsExactly("processes");
        assertThat(fields(new Result(1, Arrays.asList(report(10), null), null, null)))
                .containsExactly("processes[1].<list element>");
        assertThat(fields(new Result(1, List.of(), "agent error", null))).containsExactly("error");
        assertThat(fields(new Result(1, List.of(), "EINVAL", "m".repeat(5000)))).containsExactly("message");
        assertThat(fields(new Release(0))).containsExactly("epoch");
    }

    @Test
    void aProcessReportNamesEachBadField() {
        ProcessReport good = report(10);
        ProcessReport bad = new ProcessReport(
                0,
                null,
                null,
                "m".repeat(5000),
                -1,
                -1,
                -1,
                Map.of(SkipReason.SHARED, -1L),
                Map.of(Errno.EBUSY, -1L),
                good.moves(),
                good.fallbacks(),
                good.placementBefore(),
                good.placementAfter(),
                -1,
                null,
                "d".repeat(200),
                null,
                null,
                null,
                -1,
                -1,
                good.warnings(),
                -1.0,
                -0.5,
                -2.0,
                List.of(new ProcessReport.VmaReport("400000", "0x4", "x", MigrationResult.VmaAction.SKIPPED, null)));
        assertThat(fields(new Result(1, List.of(good, bad), null, null)))
                .containsExactlyInAnyOrder(
                        "processes[1].pid",
                        "processes[1].status",
                        "processes[1].message",
                        "processes[1].pagesScanned",
                        "processes[1].pagesMoved",
                        "processes[1].pagesNotPresent",
                        "processes[1].pagesSkipped[SHARED].<map value>",
                        "processes[1].pagesFailed[EBUSY].<map value>",
                        "processes[1].pagesLeftOnOldNodes",
                        "processes[1].contentDigestBefore",
                        "processes[1].rolledBack",
                        "processes[1].rollbackFailed",
                        "processes[1].estimatedSeconds",
                        "processes[1].cpuSeconds",
                        "processes[1].mibPerSecond",
                        "processes[1].vmas[0].start");
    }
}
