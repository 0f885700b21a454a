package io.numashift.security;

import io.numashift.web.ApiProblem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Admits a request when its bearer token is known and has the role the path needs: health probes
 * and the dashboard's static files (no data: the page asks for a token and sends it with every call)
 * need none; the agent protocol needs {@code agent}; reads need {@code viewer}; every other change
 * needs {@code operator}. Answers 401 without a known token and 403 {@code EPERM} without the role.
 */
public class BearerTokenFilter extends OncePerRequestFilter {
    private final Tokens tokens;

    public BearerTokenFilter(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = routedPath(request);
        if (path.equals("/actuator/health") || path.startsWith("/actuator/health/") || isDashboard(request, path)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Caller> caller = bearer(request).flatMap(tokens::authenticate);
        if (caller.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer");
            ApiProblem.write(
                    request,
                    response,
                    HttpStatus.UNAUTHORIZED,
                    "UNAUTHORIZED",
                    "a known bearer token is required (Authorization: Bearer <token>)");
            return;
        }
        Role needed = needed(request.getMethod(), path);
        if (!caller.get().has(needed)) {
            ApiProblem.write(
                    request,
                    response,
                    HttpStatus.FORBIDDEN,
                    "EPERM",
                    "token " + caller.get().name() + " lacks the role "
                            + needed.name().toLowerCase());
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller.get());
        chain.doFilter(request, response);
    }

    /** A read of the dashboard's page or of its scripts and styles ({@code /}, {@code /ui/…}). */
    static boolean isDashboard(HttpServletRequest request, String path) {
        boolean read = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
        return read && (path.equals("/") || path.equals("/index.html") || path.startsWith("/ui/"));
    }

    /**
     * The path as the web layer routes it: each segment decoded and without its matrix
     * parameters ({@code ;x=y}), so that {@code /api/v1;x=y/jobs} and {@code /api/v1/%6Aobs} need
     * the role of {@code /api/v1/jobs}, the handler they reach. Deciding on the raw path let a viewer
     * submit and cancel jobs.
     */
    static String routedPath(HttpServletRequest request) {
        RequestPath path = RequestPath.parse(request.getRequestURI(), request.getContextPath());
        StringBuilder routed = new StringBuilder();
        for (PathContainer.Element element : path.pathWithinApplication().elements()) {
            routed.append(
                    element instanceof PathContainer.PathSegment segment ? segment.valueToMatch() : element.value());
        }
        return routed.toString();
    }

    /**
     * The role a request needs: the agent protocol needs {@code agent}; any other request that is
     * not a read (whatever its path: one a handler does not serve is refused anyway) needs {@code
     * operator}; reads need {@code viewer}.
     */
    static Role needed(String method, String path) {
        if (path.startsWith("/api/v1/agents/") || path.startsWith("/api/v1/tasks/")) {
            return Role.AGENT;
        }
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        return read ? Role.VIEWER : Role.OPERATOR;
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
