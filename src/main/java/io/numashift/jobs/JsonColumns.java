package io.numashift.jobs;

import io.numashift.storage.JsonColumn;
import java.util.List;
import tools.jackson.core.type.TypeReference;

/** The JSON columns of jobs and tasks: the request, a task's targets and its results as reported. */
final class JsonColumns {
    private JsonColumns() {}

    static final class RequestColumn extends JsonColumn<JobRequest> {
        RequestColumn() {
            super(new TypeReference<>() {});
        }
    }

    static final class TargetsColumn extends JsonColumn<TaskTargets> {
        TargetsColumn() {
            super(new TypeReference<>() {});
        }
    }

    static final class ResultsColumn extends JsonColumn<List<ProcessResult>> {
        ResultsColumn() {
            super(new TypeReference<>() {});
        }
    }
}
