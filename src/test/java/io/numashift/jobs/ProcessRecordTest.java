package io.numashift.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.backend.Errno;
import io.numashift.protocol.ProcessReport;
import io.numashift.storage.JsonColumn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The stored form of a process's result keeps the JSON of the report it was made from, field for
 * field, so that rows stored before it existed read as they were written.
 */
public class ProcessRecordTest {

    public static ProcessReport report() {
        ProcessReport built = ProcessResults.of(10)
                .status(MigrationStatus.PARTIAL, null)
                .moved(10, 4, new MigrationResult.NodePairPages(0, 1, 4))
                .failed(Map.of(Errno.EBUSY, 2L))
                .placement(Map.of(0, 10L), Map.of(0, 6L, 1, 4L))
                .estimate(0.5)
                .build();
        return new ProcessReport(
                built.pid(),
                built.status(),
                built.errno(),
                built.message(),
                built.pagesScanned(),
                built.pagesMoved(),
                built.pagesNotPresent(),
                built.pagesSkipped(),
                built.pagesFailed(),
                built.moves(),
                built.fallbacks(),
                built.placementBefore(),
                built.placementAfter(),
                built.pagesLeftOnOldNodes(),
                built.verify(),
                built.contentDigestBefore(),
                built.contentDigestAfter(),
                built.policyBefore(),
                built.policyAfter(),
                built.rolledBack(),
                built.rollbackFailed(),
                built.warnings(),
                built.estimatedSeconds(),
                built.cpuSeconds(),
                built.mibPerSecond(),
                List.of(new ProcessReport.VmaReport(
                        "0x400000", "0x401000", "[heap]", MigrationResult.VmaAction.MIGRATED, null)));
    }

    @Test
    void theStoredJsonIsTheReportsJson() {
        ProcessReport report = report();
        JsonNode reported = JsonColumn.MAPPER.valueToTree(report);
        JsonNode stored = JsonColumn.MAPPER.valueToTree(ProcessRecord.of(report));
        assertThat(stored).isEqualTo(reported);
        assertThat(names(stored)).isEqualTo(names(reported));
    }

    @Test
    void jsonStoredBeforeReadsBack() {
        // As the results column held it before the stored form had a type of its own.
        String before = """
                [{"pid":10,"status":"PARTIAL","errno":null,"message":null,"pagesScanned":10,"pagesMoved":4,\
                "pagesNotPresent":0,"pagesSkipped":{},"pagesFailed":{"EBUSY":2},\
                "moves":[{"from":0,"to":1,"pages":4}],"fallbacks":[],"placementBefore":{"0":10},\
                "placementAfter":{"0":6,"1":4},"pagesLeftOnOldNodes":0,"contentDigestBefore":"d",\
                "contentDigestAfter":"d","policyBefore":null,"policyAfter":null,"rolledBack":0,\
                "rollbackFailed":0,"warnings":[],"estimatedSeconds":0.5,\
                "vmas":[{"start":"0x400000","end":"0x401000","maps":"[heap]","action":"MIGRATED","reason":null}]}]""";
        List<ProcessRecord> read = new JsonColumns.ResultsColumn().convertToEntityAttribute(before);
        assertThat(read).singleElement().satisfies(record -> {
            assertThat(record)
                    .usingRecursiveComparison()
                    .ignoringFields("verify")
                    .isEqualTo(ProcessRecord.of(report()));
            assertThat(record.verify())
                    .as("not said before verify was reported")
                    .isNull();
        });
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
