package io.numashift.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Admits a request when its bearer token is known and has the role the path needs: health probes
 * need none; the agent protocol needs {@code agent}; reads need {@code viewer}; changes to jobs
 * need {@code operator}. Answers 401 without a known token and 403 {@code EPERM} without the role.
 */
public class BearerTokenFilter extends OncePerRequestFilter {
    private final Tokens tokens;

    public BearerTokenFilter(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals("/actuator/health") || path.startsWith("/actuator/health/")) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Caller> caller = bearer(request).flatMap(tokens::authenticate);
        if (caller.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer");
            Problems.write(
                    response,
                    401,
                    "Unauthorized",
                    "UNAUTHORIZED",
                    "a known bearer token is required (Authorization: Bearer <token>)");
            return;
        }
        Role needed = needed(request.getMethod(), path);
        if (!caller.get().has(needed)) {
            Problems.write(
                    response,
                    403,
                    "Forbidden",
                    "EPERM",
                    "token " + caller.get().name() + " lacks the role "
                            + needed.name().toLowerCase());
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller.get());
        chain.doFilter(request, response);
    }

    static Role needed(String method, String path) {
        if (path.startsWith("/api/v1/agents/") || path.startsWith("/api/v1/tasks/")) {
            return Role.AGENT;
        }
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        if (path.startsWith("/api/v1/jobs") && !read) {
            return Role.OPERATOR;
        }
        return Role.VIEWER;
    }

    private static Optional<String> bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String secret = header.substring(7).trim();
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }
}
