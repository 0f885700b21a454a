package io.numashift.hosts.web;

import io.numashift.hosts.Host;
import io.numashift.hosts.HostRegistry;
import io.numashift.hosts.HostState;
import io.numashift.protocol.HostTopology;
import io.numashift.web.ApiProblem;
import io.numashift.web.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Hosts over HTTP: {@code /api/v1/hosts}. */
@RestController
@RequestMapping(path = "/api/v1/hosts", produces = MediaType.APPLICATION_JSON_VALUE)
class HostController {
    private final HostRegistry hosts;
    private final RunningTasks running;

    HostController(HostRegistry hosts, RunningTasks running) {
        this.hosts = hosts;
        this.running = running;
    }

    /**
     * A host as the API shows it.
     *
     * @param name its name
     * @param state ONLINE, UNKNOWN or OFFLINE
     * @param backend simulated or linux
     * @param agentVersion the agent's version
     * @param lastSeenAt when its agent was last heard from
     * @param pageSize bytes per page
     * @param nodes its nodes
     * @param distances the distance matrix
     * @param runningTask the task it runs now, if any
     */
    record HostView(
            String name,
            HostState state,
            String backend,
            String agentVersion,
            Instant lastSeenAt,
            int pageSize,
            List<HostTopology.NodeView> nodes,
            List<List<Integer>> distances,
            RunningTasks.@Nullable RunningTask runningTask) {}

    /**
     * A page of hosts, by name.
     *
     * @param items the hosts
     * @param next the cursor of the next page ({@code after}), or null on the last page
     */
    record HostPage(List<HostView> items, @Nullable String next) {}

    @Operation(summary = "List hosts by name (viewer)")
    @ApiResponse(responseCode = "200", description = "a page of hosts")
    @GetMapping
    HostPage all(
            @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
            @Parameter(description = "the cursor of the previous page's next") @RequestParam(required = false) @Nullable
                    String after) {
        List<Host> page = hosts.page(after == null ? null : decode(after), limit + 1);
        boolean more = page.size() > limit;
        List<Host> items = more ? page.subList(0, limit) : page;
        Map<String, RunningTasks.RunningTask> tasks =
                running.on(items.stream().map(Host::name).toList());
        return new HostPage(
                items.stream().map(h -> view(h, tasks.get(h.name()))).toList(),
                more ? encode(items.getLast().name()) : null);
    }

    @Operation(summary = "Read a host (viewer)")
    @ApiResponse(responseCode = "200", description = "the host")
    @ApiResponse(responseCode = "404", description = "HOST_NOT_FOUND")
    @GetMapping("/{name}")
    HostView one(@PathVariable String name) {
        Host host = hosts.find(name).orElseThrow(() -> new HostNotFoundException(name));
        return view(host, running.on(List.of(host.name())).get(host.name()));
    }

    @ExceptionHandler(HostNotFoundException.class)
    ProblemDetail notFound(HostNotFoundException e) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "HOST_NOT_FOUND", e.getMessage());
    }

    private HostView view(Host host, RunningTasks.@Nullable RunningTask task) {
        return new HostView(
                host.name(),
                hosts.state(host),
                host.backend(),
                host.agentVersion(),
                hosts.lastSeen(host),
                host.pageSize(),
                host.topology().nodes(),
                host.topology().distances(),
                task);
    }

    private static String encode(String name) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        String name;
        try {
            name = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("after", "not a cursor this service gave out");
        }
        // Host names hold no NUL; looked up, one would be an error of PostgreSQL, not a 400.
        if (name.indexOf('\u0000') >= 0) {
            throw new InvalidRequestException("after", "not a cursor this service gave out");
        }
        return name;
    }

    static final class HostNotFoundException extends RuntimeException {
        HostNotFoundException(String name) {
            super("no host " + (name.length() > 64 ? name.substring(0, 64) + "…" : name));
        }
    }
}
