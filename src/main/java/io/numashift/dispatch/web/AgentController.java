package io.numashift.dispatch.web;

import io.numashift.dispatch.DispatchSettings;
import io.numashift.dispatch.Dispatcher;
import io.numashift.dispatch.ForeignHostException;
import io.numashift.dispatch.Lease;
import io.numashift.dispatch.StaleLeaseException;
import io.numashift.dispatch.TaskNotFoundException;
import io.numashift.dispatch.WorkSignals;
import io.numashift.hosts.HostRegistry;
import io.numashift.hosts.HostSettings;
import io.numashift.jobs.web.Waits;
import io.numashift.security.Caller;
import io.numashift.web.ApiProblem;
import io.numashift.web.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agent protocol: register, lease (a long poll, woken as soon as work for the host is
 * committed), heartbeat, result, and release (a stopping agent gives its task back). An agent token serves only the hosts it names.
 */
@RestController
@RequestMapping("/api/v1")
class AgentController {
    private final Dispatcher dispatcher;
    private final HostRegistry hosts;
    private final WorkSignals signals;
    private final DispatchSettings settings;
    private final Duration seenEvery;

    AgentController(
            Dispatcher dispatcher,
            HostRegistry hosts,
            WorkSignals signals,
            DispatchSettings settings,
            HostSettings hostSettings) {
        this.dispatcher = dispatcher;
        this.hosts = hosts;
        this.signals = signals;
        this.settings = settings;
        this.seenEvery = hostSettings.unknownAfter().dividedBy(3);
    }

    @PostMapping("/agents/{host}/register")
    Map<String, Object> register(
            @PathVariable String host, @RequestBody AgentProtocol.Registration registration, HttpServletRequest http) {
        requireHost(http, host);
        if (registration.pageSize() <= 0 || Integer.bitCount(registration.pageSize()) != 1) {
            throw new InvalidRequestException("pageSize", "a power of two");
        }
        hosts.register(
                host,
                registration.backend(),
                registration.agentVersion(),
                registration.pageSize(),
                registration.topology());
        return Map.of(
                "host",
                host,
                "heartbeatInterval",
                settings.heartbeatInterval().toString(),
                "leaseDuration",
                settings.leaseDuration().toString());
    }

    @PostMapping("/agents/{host}/lease")
    ResponseEntity<Lease> lease(
            @PathVariable String host, @RequestParam(required = false) @Nullable String wait, HttpServletRequest http)
            throws InterruptedException {
        requireHost(http, host);
        if (hosts.find(host).isEmpty()) {
            throw new InvalidRequestException("host", "register host " + host + " first");
        }
        Duration waitFor = Waits.parse(wait, settings.maxLeaseWait());
        long deadline = System.nanoTime() + waitFor.toNanos();
        while (true) {
            var signal = signals.next(host);
            Optional<Lease> lease = dispatcher.tryLease(host);
            if (lease.isPresent()) {
                return ResponseEntity.ok(lease.get());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || signals.closing()) {
                return ResponseEntity.noContent().build();
            }
            try {
                // Wait in rounds: each round's tryLease marks the host seen, so an idle agent in a
                // long poll stays ONLINE.
                signal.get(Math.min(left, seenEvery.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // Next round.
            }
        }
    }

    @PostMapping("/tasks/{taskId}/heartbeat")
    Dispatcher.HeartbeatAnswer heartbeat(
            @PathVariable UUID taskId, @RequestBody AgentProtocol.Heartbeat heartbeat, HttpServletRequest http) {
        return dispatcher.heartbeat(
                taskId, heartbeat.epoch(), heartbeat.progress(), heartbeat.topology(), Caller.of(http)::mayServe);
    }

    @PostMapping("/tasks/{taskId}/result")
    Map<String, Object> result(
            @PathVariable UUID taskId, @RequestBody AgentProtocol.Result result, HttpServletRequest http) {
        boolean accepted = dispatcher.result(
                taskId,
                result.epoch(),
                result.processes(),
                result.error(),
                result.message(),
                Caller.of(http)::mayServe);
        return Map.of("accepted", accepted);
    }

    @PostMapping("/tasks/{taskId}/release")
    Map<String, Object> release(
            @PathVariable UUID taskId, @RequestBody AgentProtocol.Release release, HttpServletRequest http) {
        dispatcher.release(taskId, release.epoch(), Caller.of(http)::mayServe);
        return Map.of("released", true);
    }

    private static void requireHost(HttpServletRequest http, String host) {
        if (!Caller.of(http).mayServe(host)) {
            throw new ForeignHostException(host);
        }
    }

    @ExceptionHandler(ForeignHostException.class)
    ProblemDetail foreign(ForeignHostException e) {
        return ApiProblem.of(HttpStatus.FORBIDDEN, "EPERM", e.getMessage());
    }

    @ExceptionHandler(StaleLeaseException.class)
    ProblemDetail stale(StaleLeaseException e) {
        return ApiProblem.of(HttpStatus.CONFLICT, "STALE_EPOCH", e.getMessage());
    }

    @ExceptionHandler(TaskNotFoundException.class)
    ProblemDetail noTask(TaskNotFoundException e) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "TASK_NOT_FOUND", e.getMessage());
    }
}
