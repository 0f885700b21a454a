package io.numashift.web;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.numashift.web.ApiProblem.FieldError;
import jakarta.persistence.PersistenceException;
import jakarta.servlet.http.HttpServletRequest;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.TransactionException;
import org.springframework.validation.BindException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place where invalid input becomes a problem: bodies that are not JSON or not of the
 * expected shape (named by {@link JsonErrors}), Bean Validation violations of request and protocol
 * records, parameters of the wrong type, unknown paths, methods and media types; a service too busy
 * to answer now (429 with Retry-After) and a database that is away (503, never 500). Details name
 * fields and JSON types, never a Java class. Runs after the features' own handlers.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private final ObjectProvider<DataSource> dataSource;

    public ApiErrors(ObjectProvider<DataSource> dataSource) {
        this.dataSource = dataSource;
    }

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
        FieldError error = JsonErrors.describe(e);
        return ApiProblem.invalid(error.field() + ": " + error.message(), List.of(error));
    }

    /** Bean Validation of a {@code @Valid} body ({@code MethodArgumentNotValidException} is one). */
    @ExceptionHandler(BindException.class)
    ProblemDetail violations(BindException e) {
        List<FieldError> errors = new ArrayList<>();
        e.getBindingResult()
                .getFieldErrors()
                .forEach(f -> errors.add(new FieldError(f.getField(), message(f.getDefaultMessage()))));
        e.getBindingResult()
                .getGlobalErrors()
                .forEach(g -> errors.add(new FieldError(g.getObjectName(), message(g.getDefaultMessage()))));
        return ApiProblem.invalid(InvalidRequestException.summary(errors), errors);
    }

    /** Bean Validation of parameters, and of bodies when a handler's parameters are validated too. */
    @ExceptionHandler(HandlerMethodValidationException.class)
    ProblemDetail parameterViolations(HandlerMethodValidationException e) {
        List<FieldError> errors = new ArrayList<>();
        e.getParameterValidationResults().forEach(result -> {
            String parameter = nameOf(result.getMethodParameter());
            if (result instanceof org.springframework.validation.method.ParameterErrors bound) {
                bound.getFieldErrors()
                        .forEach(f -> errors.add(new FieldError(f.getField(), message(f.getDefaultMessage()))));
                bound.getGlobalErrors()
                        .forEach(g -> errors.add(new FieldError(parameter, message(g.getDefaultMessage()))));
            } else {
                result.getResolvableErrors()
                        .forEach(r -> errors.add(new FieldError(parameter, message(r.getDefaultMessage()))));
            }
        });
        return ApiProblem.invalid(InvalidRequestException.summary(errors), errors);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail badParameter(MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        FieldError error = new FieldError(e.getName(), type == null ? "not a valid value" : JsonErrors.expected(type));
        return ApiProblem.invalid(error.field() + ": " + error.message(), List.of(error));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ProblemDetail missingParameter(MissingServletRequestParameterException e) {
        return ApiProblem.invalid(
                e.getParameterName() + ": required", List.of(new FieldError(e.getParameterName(), "required")));
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ProblemDetail missingHeader(MissingRequestHeaderException e) {
        return ApiProblem.invalid(
                e.getHeaderName() + ": required", List.of(new FieldError(e.getHeaderName(), "required")));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ProblemDetail notFound(NoResourceFoundException e) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "NOT_FOUND", "no such resource: /" + e.getResourcePath());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ProblemDetail method(HttpRequestMethodNotSupportedException e) {
        return ApiProblem.of(
                HttpStatus.METHOD_NOT_ALLOWED,
                "EINVAL",
                e.getMethod() + " is not allowed here; allowed: " + e.getSupportedHttpMethods());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ProblemDetail mediaType(HttpMediaTypeNotSupportedException e) {
        return ApiProblem.of(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "EINVAL",
                "the body must be " + e.getSupportedMediaTypes()
                        + (e.getContentType() == null ? "" : ", not " + e.getContentType()));
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ProblemDetail notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return ApiProblem.of(
                HttpStatus.NOT_ACCEPTABLE, "EINVAL", "this resource answers " + e.getSupportedMediaTypes() + " only");
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ProblemDetail tooLarge(MaxUploadSizeExceededException e) {
        return ApiProblem.of(HttpStatus.CONTENT_TOO_LARGE, "EINVAL", "the request is too large");
    }

    /**
     * Database errors. The service is busy (429 with {@code Retry-After}) when every connection of
     * its pool stayed taken for the pool's whole wait (the pool gives up with no failure of its
     * own, and all its connections are in use: a wait that ended while the pool had room was for a
     * connection the database did not give, which is the database being away), or a lock could not be had in time or a transaction lost a deadlock or a serialization
     * conflict (SQL states 40001, 40P01, 55P03, H2's lock timeout): the request changed nothing
     * and can be sent again. The database is away (503, never 500) when the failure, or any of its
     * causes, says so: no connection could be had or it broke (the server stopped, restarted or
     * cannot be reached: SQL states 08… and 57P…), a transient failure or timeout, or a transaction
     * that could not begin, commit or roll back (its connection was closed under it). Anything
     * else is a fault of the service (500, without the SQL in the answer).
     */
    @ExceptionHandler({DataAccessException.class, PersistenceException.class, TransactionException.class})
    ResponseEntity<ProblemDetail> database(Exception e, HttpServletRequest request) {
        if (busy(e, poolFull())) {
            log.info("busy for {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, "1")
                    .body(ApiProblem.of(
                            HttpStatus.TOO_MANY_REQUESTS, "BUSY", "the service is busy; try again in a second"));
        }
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
                return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                        .header(HttpHeaders.RETRY_AFTER, "5")
                        .body(ApiProblem.of(
                                HttpStatus.SERVICE_UNAVAILABLE,
                                "UNAVAILABLE",
                                "the database is unavailable; try again"));
            }
        }
        log.error("database error for {} {}", request.getMethod(), request.getRequestURI(), e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(ApiProblem.of(
                        HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "internal error; see the service's log"));
    }

    /**
     * Whether the failure is the service being busy, not the database being away; {@code poolFull}
     * whether every connection of the pool is in use.
     */
    static boolean busy(Throwable e, boolean poolFull) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof PessimisticLockingFailureException) {
                return true;
            }
            // The pool's own timeout: no connection came free in time, none failed, and all were
            // taken. (The pool forgets its last failure when a connection succeeds, so a request that
            // waited through an outage can time out without one just as the database comes back.)
            if (cause instanceof SQLTransientConnectionException pool
                    && poolFull
                    && pool.getCause() == null
                    && pool.getNextException() == null) {
                return true;
            }
            if (cause instanceof SQLException sql && contended(sql)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every connection of the service's pool is in use (true when it cannot be known). */
    private boolean poolFull() {
        DataSource source = dataSource.getIfAvailable();
        try {
            if (source == null || !source.isWrapperFor(HikariDataSource.class)) {
                return true;
            }
            HikariDataSource hikari = source.unwrap(HikariDataSource.class);
            HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
            return pool == null || pool.getActiveConnections() >= hikari.getMaximumPoolSize();
        } catch (SQLException e) {
            return true;
        }
    }

    private static boolean contended(SQLException sql) {
        String state = sql.getSQLState();
        return "40001".equals(state)
                || "40P01".equals(state)
                || "55P03".equals(state)
                || (state != null && state.startsWith("HYT00"))
                || sql.getErrorCode() == H2_LOCK_TIMEOUT
                || sql.getErrorCode() == H2_DEADLOCK;
    }

    /** H2's error codes for a lock that timed out and a deadlock. */
    private static final int H2_LOCK_TIMEOUT = 50200;

    private static final int H2_DEADLOCK = 40001;

    private static boolean connectionLost(@Nullable String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P"));
    }

    /** A parameter as the request names it: the header, query parameter or path variable. */
    private static String nameOf(MethodParameter parameter) {
        RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
        if (header != null && !header.name().isEmpty()) {
            return header.name();
        }
        RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
        if (param != null && !param.name().isEmpty()) {
            return param.name();
        }
        return String.valueOf(parameter.getParameterName());
    }

    private static String message(@Nullable String message) {
        return message == null ? "invalid" : message;
    }
}
