package io.numashift.web;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/** Builds RFC 9457 problem details with the API's {@code code} and, for invalid input, {@code errors}. */
public final class ApiProblem {
    /** Problems are told apart by {@code code}; the type is the RFC's generic one, written out. */
    private static final java.net.URI TYPE = java.net.URI.create("about:blank");

    private ApiProblem() {}

    /**
     * One invalid field.
     *
     * @param field the field's path, e.g. {@code targets[0].hosts}
     * @param message what is wrong with it
     */
    public record FieldError(String field, String message) {}

    public static ProblemDetail of(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(TYPE);
        problem.setProperty("code", code);
        return problem;
    }

    public static ProblemDetail invalid(String detail, @Nullable List<FieldError> errors) {
        ProblemDetail problem = of(HttpStatus.BAD_REQUEST, "EINVAL", detail);
        if (errors != null && !errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        return problem;
    }
}
