package io.numashift.dispatch.web;

import io.numashift.dispatch.AgentTurns;
import io.numashift.dispatch.DispatchSettings;
import io.numashift.dispatch.Dispatcher;
import io.numashift.dispatch.ForeignHostException;
import io.numashift.dispatch.InvalidReportException;
import io.numashift.dispatch.StaleLeaseException;
import io.numashift.dispatch.TaskNotFoundException;
import io.numashift.dispatch.WorkSignals;
import io.numashift.hosts.HostRegistry;
import io.numashift.jobs.web.SubmitJobBody;
import io.numashift.jobs.web.Waits;
import io.numashift.protocol.Heartbeat;
import io.numashift.protocol.HeartbeatAnswer;
import io.numashift.protocol.Lease;
import io.numashift.protocol.Registered;
import io.numashift.protocol.Registration;
import io.numashift.protocol.Release;
import io.numashift.protocol.Released;
import io.numashift.protocol.Result;
import io.numashift.protocol.ResultAnswer;
import io.numashift.web.ApiProblem;
import io.numashift.web.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The agent protocol: register, lease (a long poll, woken as soon as work for the host is
 * committed), heartbeat, result, and release (a stopping agent gives its task back). An agent
 * token serves only the hosts it names ({@link AgentAccess}); every body is read strictly and
 * checked, field by field and against the lease and the host, before anything is stored.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
class AgentController {
    /** Runs the looks for a task after the first, each on a virtual thread of its own. */
    private static final Executor LOOKS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("lease-look-", 0).factory());

    private final Dispatcher dispatcher;
    private final HostRegistry hosts;
    private final WorkSignals signals;
    private final DispatchSettings settings;

    AgentController(Dispatcher dispatcher, HostRegistry hosts, WorkSignals signals, DispatchSettings settings) {
        this.dispatcher = dispatcher;
        this.hosts = hosts;
        this.signals = signals;
        this.settings = settings;
    }

    @Operation(summary = "Register a host (agent)")
    @ApiResponse(responseCode = "200", description = "registered; the intervals the agent keeps to")
    @PostMapping(path = "/agents/{host}/register", consumes = MediaType.APPLICATION_JSON_VALUE)
    Registered register(
            @PathVariable
                    @Pattern(
                            regexp = SubmitJobBody.HOST_NAME,
                            message = "a host name: letters, digits, '.', '_' and '-'")
                    String host,
            @Valid @RequestBody Registration registration) {
        if (Integer.bitCount(registration.pageSize()) != 1) {
            throw new InvalidRequestException("pageSize", "a power of two");
        }
        hosts.register(
                host,
                registration.backend(),
                registration.agentVersion(),
                registration.pageSize(),
                registration.topology());
        return new Registered(
                host,
                settings.heartbeatInterval().toString(),
                settings.leaseDuration().toString());
    }

    @Operation(summary = "Wait for the host's next task (agent)")
    @ApiResponse(responseCode = "200", description = "a task and its lease")
    @ApiResponse(responseCode = "204", description = "no task within the wait")
    @PostMapping("/agents/{host}/lease")
    DeferredResult<ResponseEntity<Lease>> lease(
            @PathVariable String host,
            @Parameter(description = "how long to wait: 30s, 500ms, 2m (at most 60 s)", example = "30s")
                    @RequestParam(required = false)
                    @Nullable
                    String wait) {
        Duration waitFor = Waits.parse(wait, settings.maxLeaseWait());
        if (!hosts.isRegistered(host)) {
            throw new InvalidRequestException("host", "register host " + host + " first");
        }
        long deadline = System.nanoTime() + waitFor.toNanos();
        // While it waits, the request holds no thread and asks the database nothing: its host is
        // marked seen with every other host's in one statement per round, and it looks for a task
        // only when work for its host may have come (WorkSignals).
        HostRegistry.Waiting waiting = hosts.waiting(host);
        CompletableFuture<ResponseEntity<Lease>> looks;
        try {
            looks = leaseRound(host, deadline);
        } catch (RuntimeException e) {
            waiting.close();
            throw e;
        }
        // The looks end by the deadline; the request's own timeout only guards against a defect.
        DeferredResult<ResponseEntity<Lease>> answer = new DeferredResult<>(waitFor.toMillis() + 60_000);
        looks.whenComplete((lease, failure) -> {
            waiting.close();
            if (failure != null) {
                answer.setErrorResult(
                        failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure);
            } else {
                answer.setResult(lease);
            }
        });
        return answer;
    }

    /** One look for a task of the host; when there is none, the next look when work may have come. */
    private CompletableFuture<ResponseEntity<Lease>> leaseRound(String host, long deadline) {
        var signal = signals.next(host);
        if (signals.mayHaveWork(host)) {
            Optional<Lease> lease = dispatcher.tryLease(host, deadline);
            if (lease.isPresent()) {
                return CompletableFuture.completedFuture(ResponseEntity.ok(lease.get()));
            }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || signals.closing()) {
            return CompletableFuture.completedFuture(ResponseEntity.noContent().build());
        }
        // The signal is shared by the host's waiters: wait on a copy, whose timeout is this one's.
        return signal.copy()
                .completeOnTimeout(null, left, TimeUnit.NANOSECONDS)
                .thenComposeAsync(ignored -> leaseRound(host, deadline), LOOKS);
    }

    @Operation(summary = "Report progress and renew the lease (agent)")
    @ApiResponse(responseCode = "200", description = "renewed; whether a cancel was requested")
    @ApiResponse(responseCode = "404", description = "TASK_NOT_FOUND")
    @ApiResponse(
            responseCode = "409",
            description = "STALE_EPOCH: the lease is no longer this agent's, or the task ended")
    @PostMapping(path = "/tasks/{taskId}/heartbeat", consumes = MediaType.APPLICATION_JSON_VALUE)
    HeartbeatAnswer heartbeat(@PathVariable UUID taskId, @Valid @RequestBody Heartbeat heartbeat) {
        return dispatcher.heartbeat(taskId, heartbeat.epoch(), heartbeat.progress(), heartbeat.topology());
    }

    @Operation(summary = "Report a task's results (agent)")
    @ApiResponse(responseCode = "200", description = "accepted (or the same result again)")
    @ApiResponse(responseCode = "404", description = "TASK_NOT_FOUND")
    @ApiResponse(
            responseCode = "409",
            description = "STALE_EPOCH: the lease is no longer this agent's, or the task ended with another result")
    @PostMapping(path = "/tasks/{taskId}/result", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResultAnswer result(@PathVariable UUID taskId, @Valid @RequestBody Result result) {
        return new ResultAnswer(dispatcher.result(
                taskId, result.epoch(), result.processes(), result.error(), result.message(), result.nodes()));
    }

    @Operation(summary = "Give a task back unfinished, to run again at once (agent)")
    @ApiResponse(responseCode = "200", description = "the task is offered again")
    @ApiResponse(responseCode = "404", description = "TASK_NOT_FOUND")
    @ApiResponse(
            responseCode = "409",
            description = "STALE_EPOCH: the lease is no longer this agent's, or the task ended")
    @PostMapping(path = "/tasks/{taskId}/release", consumes = MediaType.APPLICATION_JSON_VALUE)
    Released release(@PathVariable UUID taskId, @Valid @RequestBody Release release) {
        dispatcher.release(taskId, release.epoch());
        return new Released(true);
    }

    @ExceptionHandler(ForeignHostException.class)
    ProblemDetail foreign(ForeignHostException e) {
        return ApiProblem.of(HttpStatus.FORBIDDEN, "EPERM", e.getMessage());
    }

    @ExceptionHandler(AgentTurns.BusyException.class)
    ResponseEntity<ProblemDetail> busy(AgentTurns.BusyException e) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(ApiProblem.of(HttpStatus.TOO_MANY_REQUESTS, "BUSY", e.getMessage()));
    }

    @ExceptionHandler(StaleLeaseException.class)
    ProblemDetail stale(StaleLeaseException e) {
        return ApiProblem.of(HttpStatus.CONFLICT, "STALE_EPOCH", e.getMessage());
    }

    @ExceptionHandler(TaskNotFoundException.class)
    ProblemDetail noTask(TaskNotFoundException e) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "TASK_NOT_FOUND", e.getMessage());
    }

    @ExceptionHandler(InvalidReportException.class)
    ProblemDetail invalidReport(InvalidReportException e) {
        return ApiProblem.invalid(
                e.getMessage(),
                e.violations().stream()
                        .map(v -> new ApiProblem.FieldError(v.field(), v.message()))
                        .toList());
    }
}
