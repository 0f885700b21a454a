package io.numashift.web;

import jakarta.persistence.PersistenceException;
import jakarta.servlet.http.HttpServletRequest;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Problem details for what no feature owns: malformed JSON, wrong types, unknown paths, methods
 * and media types, and a database that is away (503, never 500). Runs after the features' own
 * handlers.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalid(InvalidRequestException e) {
        return ApiProblem.invalid(e.getMessage(), e.errors());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyLimitFilter.BodyTooLargeException tooLarge) {
                return ApiProblem.of(HttpStatus.CONTENT_TOO_LARGE, "EINVAL", tooLarge.getMessage());
            }
        }
        return ApiProblem.invalid("the body is not valid JSON of the expected shape: " + firstLine(e), null);
    }

    @ExceptionHandler({
        MethodArgumentTypeMismatchException.class,
        MissingServletRequestParameterException.class,
        MissingRequestHeaderException.class
    })
    ProblemDetail badParameter(Exception e) {
        return ApiProblem.invalid(firstLine(e), null);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ProblemDetail notFound(NoResourceFoundException e) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "NOT_FOUND", "no such resource: /" + e.getResourcePath());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ProblemDetail method(HttpRequestMethodNotSupportedException e) {
        return ApiProblem.of(HttpStatus.METHOD_NOT_ALLOWED, "EINVAL", firstLine(e));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ProblemDetail mediaType(HttpMediaTypeNotSupportedException e) {
        return ApiProblem.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "EINVAL", firstLine(e));
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ProblemDetail notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return ApiProblem.of(HttpStatus.NOT_ACCEPTABLE, "EINVAL", firstLine(e));
    }

    /**
     * Database errors. The database is away (503, never 500) when the failure, or any of its
     * causes, says so: no connection could be had or it broke (the server stopped, restarted or
     * cannot be reached: SQL states 08… and 57P…), a transient failure or timeout, or a transaction
     * that could not begin, commit or roll back (its connection was closed under it). Anything
     * else is a fault of the service (500, without the SQL in the answer).
     */
    @ExceptionHandler({DataAccessException.class, PersistenceException.class, TransactionException.class})
    ProblemDetail database(Exception e, HttpServletRequest request) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException
                    || cause instanceof TransientDataAccessException
                    || cause instanceof TransactionException
                    || cause instanceof org.hibernate.TransactionException
                    || cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException
                    || (cause instanceof SQLException sql && connectionLost(sql.getSQLState()))) {
                log.warn(
                        "database unavailable for {} {}: {}",
                        request.getMethod(),
                        request.getRequestURI(),
                        e.toString());
                return ApiProblem.of(
                        HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", "the database is unavailable; try again");
            }
        }
        log.error("database error for {} {}", request.getMethod(), request.getRequestURI(), e);
        return ApiProblem.of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "internal error; see the service's log");
    }

    private static boolean connectionLost(@Nullable String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P"));
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
