package io.numashift.jobs.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.jobs.ProcessRecord;
import io.numashift.jobs.ProcessRecordTest;
import io.numashift.storage.JsonColumn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The API shows a stored result with the same fields, in the same order, as agents report it. */
class ProcessResultViewTest {
    @Test
    void theViewHasTheStoredFieldsInTheirOrder() {
        ProcessRecord stored = ProcessRecord.of(ProcessRecordTest.report());
        JsonNode shown = JsonColumn.MAPPER.valueToTree(ProcessResult.of(stored));
        JsonNode kept = JsonColumn.MAPPER.valueToTree(stored);
        assertThat(shown).isEqualTo(kept);
        assertThat(names(shown)).isEqualTo(names(kept));
        assertThat(names(shown.get("vmas").get(0))).containsExactly("start", "end", "maps", "action", "reason");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
