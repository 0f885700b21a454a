package io.numashift.jobs.web;

import io.numashift.jobs.IdempotencyConflictException;
import io.numashift.jobs.IllegalTransitionException;
import io.numashift.jobs.InvalidJobRequestException;
import io.numashift.jobs.InvalidJobStateException;
import io.numashift.jobs.JobNotFoundException;
import io.numashift.jobs.UnknownHostsException;
import io.numashift.web.ApiProblem;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Problem details for the jobs API. */
@RestControllerAdvice(assignableTypes = {JobController.class, EvacuationController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class JobProblems {

    @ExceptionHandler(JobNotFoundException.class)
    ProblemDetail notFound(JobNotFoundException e) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "JOB_NOT_FOUND", e.getMessage());
    }

    @ExceptionHandler(UnknownHostsException.class)
    ProblemDetail unknownHosts(UnknownHostsException e) {
        ProblemDetail problem = ApiProblem.of(HttpStatus.UNPROCESSABLE_CONTENT, "UNKNOWN_HOST", e.getMessage());
        problem.setProperty("hosts", e.hosts());
        return problem;
    }

    @ExceptionHandler(InvalidJobRequestException.class)
    ProblemDetail invalidRequest(InvalidJobRequestException e) {
        return ApiProblem.invalid(
                e.field() + ": " + e.getMessage(), List.of(new ApiProblem.FieldError(e.field(), e.getMessage())));
    }

    @ExceptionHandler(IdempotencyConflictException.class)
    ProblemDetail idempotency(IdempotencyConflictException e) {
        return ApiProblem.of(HttpStatus.CONFLICT, "IDEMPOTENCY_CONFLICT", e.getMessage());
    }

    @ExceptionHandler({InvalidJobStateException.class, IllegalTransitionException.class})
    ProblemDetail invalidState(RuntimeException e) {
        return ApiProblem.of(HttpStatus.CONFLICT, "INVALID_STATE", e.getMessage());
    }
}
