package io.numashift.security.web;

import io.numashift.security.Caller;
import io.numashift.security.Role;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/caller}: who the token is, so that a client (the dashboard) shows only what
 * the token may do (viewer).
 */
@RestController
class CallerController {

    /**
     * The caller as the API shows it.
     *
     * @param name the token's name (what a job's {@code submittedBy} shows)
     * @param roles its roles
     * @param operator whether it may submit, cancel and retry jobs
     */
    record CallerView(String name, List<Role> roles, boolean operator) {}

    @Operation(summary = "Who the token is: its name and roles (viewer)")
    @GetMapping(path = "/api/v1/caller", produces = MediaType.APPLICATION_JSON_VALUE)
    CallerView caller(HttpServletRequest request) {
        Caller caller = Caller.of(request);
        return new CallerView(caller.name(), caller.roles().stream().sorted().toList(), caller.has(Role.OPERATOR));
    }
}
