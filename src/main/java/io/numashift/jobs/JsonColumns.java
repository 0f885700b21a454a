package io.numashift.jobs;

import jakarta.persistence.AttributeConverter;
import java.util.List;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** JSON text columns: the request, a task's targets and its results, stored as the API shows them. */
final class JsonColumns {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JsonColumns() {}

    static final class RequestColumn implements AttributeConverter<JobRequest, String> {
        @Override
        public String convertToDatabaseColumn(JobRequest value) {
            return MAPPER.writeValueAsString(value);
        }

        @Override
        public JobRequest convertToEntityAttribute(String json) {
            return MAPPER.readValue(json, JobRequest.class);
        }
    }

    static final class TargetsColumn implements AttributeConverter<TaskTargets, String> {
        @Override
        public String convertToDatabaseColumn(TaskTargets value) {
            return MAPPER.writeValueAsString(value);
        }

        @Override
        public TaskTargets convertToEntityAttribute(String json) {
            return MAPPER.readValue(json, TaskTargets.class);
        }
    }

    static final class ResultsColumn implements AttributeConverter<List<ProcessResult>, String> {
        private static final TypeReference<List<ProcessResult>> TYPE = new TypeReference<>() {};

        @Override
        public String convertToDatabaseColumn(List<ProcessResult> value) {
            return MAPPER.writeValueAsString(value);
        }

        @Override
        public List<ProcessResult> convertToEntityAttribute(String json) {
            return MAPPER.readValue(json, TYPE);
        }
    }
}
