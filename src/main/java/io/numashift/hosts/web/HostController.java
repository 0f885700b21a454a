package io.numashift.hosts.web;

import io.numashift.hosts.Host;
import io.numashift.hosts.HostRegistry;
import io.numashift.hosts.HostState;
import io.numashift.hosts.HostTopology;
import io.numashift.web.ApiProblem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Hosts over HTTP: {@code /api/v1/hosts}. */
@RestController
@RequestMapping("/api/v1/hosts")
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
            @Nullable Map<String, Object> runningTask) {}

    @GetMapping
    Map<String, Object> all() {
        return Map.of("items", hosts.all().stream().map(this::view).toList());
    }

    @GetMapping("/{name}")
    HostView one(@PathVariable String name) {
        return hosts.find(name).map(this::view).orElseThrow(() -> new HostNotFoundException(name));
    }

    @ExceptionHandler(HostNotFoundException.class)
    ProblemDetail notFound(HostNotFoundException e) {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "HOST_NOT_FOUND", e.getMessage());
    }

    private HostView view(Host host) {
        return new HostView(
                host.name(),
                hosts.state(host),
                host.backend(),
                host.agentVersion(),
                host.lastSeenAt(),
                host.pageSize(),
                host.topology().nodes(),
                host.topology().distances(),
                running.of(host.name()));
    }

    static final class HostNotFoundException extends RuntimeException {
        HostNotFoundException(String name) {
            super("no host " + (name.length() > 64 ? name.substring(0, 64) + "…" : name));
        }
    }
}
