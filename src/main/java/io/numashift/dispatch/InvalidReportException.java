package io.numashift.dispatch;

import java.util.List;

/** An agent's report that disagrees with its lease or its host (code {@code EINVAL}); nothing changed. */
public class InvalidReportException extends RuntimeException {
    private final List<ReportRules.Violation> violations;

    public InvalidReportException(List<ReportRules.Violation> violations) {
        super(violations.stream()
                .map(v -> v.field() + ": " + v.message())
                .reduce((a, b) -> a + "; " + b)
                .orElse("invalid report"));
        this.violations = List.copyOf(violations);
    }

    public List<ReportRules.Violation> violations() {
        return violations;
    }
}
