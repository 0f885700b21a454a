package io.numashift.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;

/**
 * Who made a request: the token's name, its roles and, for agents, its hosts.
 *
 * @param name the token's name (what {@code submittedBy} shows)
 * @param roles its roles
 * @param hosts the hosts an agent token may serve
 */
public record Caller(String name, Set<Role> roles, Set<String> hosts) {
    static final String ATTRIBUTE = Caller.class.getName();

    public Caller {
        roles = Set.copyOf(roles);
        hosts = Set.copyOf(hosts);
    }

    /** Whether the caller has a role; an operator is also a viewer. */
    public boolean has(Role role) {
        return roles.contains(role) || (role == Role.VIEWER && roles.contains(Role.OPERATOR));
    }

    public boolean mayServe(String host) {
        return roles.contains(Role.AGENT) && hosts.contains(host);
    }

    /** The caller of a request that passed the token filter. */
    public static Caller of(HttpServletRequest request) {
        Object caller = request.getAttribute(ATTRIBUTE);
        if (caller instanceof Caller c) {
            return c;
        }
        throw new IllegalStateException("request was not authenticated");
    }
}
