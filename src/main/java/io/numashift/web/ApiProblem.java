package io.numashift.web;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/** Builds RFC 9457 problem details with the API's {@code code} and, for invalid input, {@code errors}. */
public final class ApiProblem {
    /** Problems are told apart by {@code code}; the type is the RFC's generic one, written out. */
    private static final URI TYPE = URI.create("about:blank");

    private static final JsonMapper WRITER = JsonMapper.builder().build();

    private ApiProblem() {}

    /**
     * One invalid field.
     *
     * @param field the field's path, e.g. {@code targets[0].hosts}
     * @param message what is wrong with it
     */
    public record FieldError(String field, String message) {}

    /**
     * A problem as the API answers it ({@code application/problem+json}): what the OpenAPI
     * document shows for every error.
     *
     * @param type always {@code about:blank}: problems are told apart by {@code code}
     * @param title the HTTP status's phrase
     * @param status the HTTP status
     * @param detail what went wrong, for people
     * @param instance the request's path
     * @param code an errno name such as {@code EINVAL} or a symbolic code such as {@code JOB_NOT_FOUND}
     * @param errors for invalid input, each invalid field
     */
    @Schema(name = "Problem")
    public record Body(
            String type,
            String title,
            int status,
            String detail,
            @Nullable String instance,
            String code,
            @Nullable List<FieldError> errors) {}

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

    /**
     * Writes a problem straight to a response, for the filters and the web server's own errors,
     * which answer before any controller runs: the same JSON as every other problem.
     */
    public static void write(
            HttpServletRequest request, HttpServletResponse response, HttpStatus status, String code, String detail)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE.toString());
        body.put("title", status.getReasonPhrase());
        body.put("status", status.value());
        body.put("detail", detail);
        body.put("instance", request.getRequestURI());
        body.put("code", code);
        response.setStatus(status.value());
        response.setContentType("application/problem+json");
        response.getOutputStream().write(WRITER.writeValueAsBytes(body));
    }

    /** The code of an error that only its status describes (one the web server itself raised). */
    public static String codeOf(HttpStatus status) {
        return switch (status) {
            case UNAUTHORIZED -> "UNAUTHORIZED";
            case FORBIDDEN -> "EPERM";
            case NOT_FOUND -> "NOT_FOUND";
            case SERVICE_UNAVAILABLE -> "UNAVAILABLE";
            default -> status.is5xxServerError() ? "INTERNAL" : "EINVAL";
        };
    }

    /** The detail of an error that only its status describes. */
    public static String detailOf(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "the request is malformed: its path, query string or headers cannot be read";
            case NOT_FOUND -> "no such resource";
            case METHOD_NOT_ALLOWED -> "this method is not allowed here";
            case CONTENT_TOO_LARGE -> "the request is too large";
            case URI_TOO_LONG -> "the request's path and query string are too long";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "the request's headers are too large";
            case SERVICE_UNAVAILABLE -> "the service is unavailable; try again";
            default -> status.is5xxServerError() ? "internal error; see the service's log" : status.getReasonPhrase();
        };
    }
}
