package io.numashift.jobs;

import io.numashift.core.MigrationOptions;
import io.numashift.protocol.EvacuatedNode;
import io.numashift.storage.JsonColumn;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;

/** The JSON columns of jobs and tasks: the request, a task's targets and its results as reported. */
final class JsonColumns {
    private JsonColumns() {}

    /** An unreadable request reads as one that names nothing to move: its tasks fail with EINVAL. */
    static final class RequestColumn extends JsonColumn<JobRequest> {
        RequestColumn() {
            super(
                    new TypeReference<>() {},
                    new JobRequest(
                            null, Map.of(), List.of(), null, List.of(), List.of(), null, MigrationOptions.DEFAULTS));
        }
    }

    static final class TargetsColumn extends JsonColumn<TaskTargets> {
        TargetsColumn() {
            super(new TypeReference<>() {}, new TaskTargets(List.of(), List.of()));
        }
    }

    /** An evacuation's nodes; null (every other task) stays null. */
    static final class EvacuatedColumn extends JsonColumn<List<EvacuatedNode>> {
        EvacuatedColumn() {
            super(new TypeReference<>() {}, List.of());
        }

        @Override
        public @Nullable String convertToDatabaseColumn(@Nullable List<EvacuatedNode> value) {
            return value == null ? null : super.convertToDatabaseColumn(value);
        }

        @Override
        public @Nullable List<EvacuatedNode> convertToEntityAttribute(@Nullable String json) {
            return json == null ? null : super.convertToEntityAttribute(json);
        }
    }

    static final class ResultsColumn extends JsonColumn<List<ProcessRecord>> {
        ResultsColumn() {
            super(new TypeReference<>() {}, List.of());
        }
    }
}
