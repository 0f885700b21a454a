package io.numashift.web;

import java.util.List;

/** Input that breaks the API's rules ({@code 400 EINVAL}, with the fields). */
public class InvalidRequestException extends RuntimeException {
    private final List<ApiProblem.FieldError> errors;

    public InvalidRequestException(List<ApiProblem.FieldError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    public InvalidRequestException(String field, String message) {
        this(List.of(new ApiProblem.FieldError(field, message)));
    }

    public List<ApiProblem.FieldError> errors() {
        return errors;
    }

    /** The errors in one line: {@code field: message; field: message}. */
    public static String summary(List<ApiProblem.FieldError> errors) {
        return errors.stream()
                .map(e -> e.field() + ": " + e.message())
                .reduce((a, b) -> a + "; " + b)
                .orElse("invalid");
    }
}
