package io.numashift.dispatch.web;

import io.numashift.dispatch.Dispatcher;
import io.numashift.dispatch.ForeignHostException;
import io.numashift.dispatch.TaskNotFoundException;
import io.numashift.hosts.HostRegistry;
import io.numashift.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * An agent token serves only the hosts it names: a request for another host ({@code {host}} in the
 * path, or the host of the task {@code {taskId}}) is answered {@code 403 EPERM}, and one for a task
 * that does not exist {@code 404}, before its body is read, so that a token of one host learns
 * nothing about another's tasks from the answers to malformed bodies.
 *
 * <p>A request allowed through is the host's sign of life ({@link HostRegistry#seen}), whatever
 * its answer: an agent whose reports meet a database that is away is still alive.
 */
@Component
class AgentAccess implements HandlerInterceptor, WebMvcConfigurer {
    private final Dispatcher dispatcher;
    private final HostRegistry hosts;

    AgentAccess(Dispatcher dispatcher, HostRegistry hosts) {
        this.dispatcher = dispatcher;
        this.hosts = hosts;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/v1/agents/**", "/api/v1/tasks/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables)) {
            return true;
        }
        Caller caller = Caller.of(request);
        if (variables.get("host") instanceof String host) {
            if (!caller.mayServe(host)) {
                throw new ForeignHostException(host);
            }
            hosts.seen(host);
        }
        if (variables.get("taskId") instanceof String task) {
            UUID id = taskId(task);
            String host = dispatcher.hostOf(id).orElseThrow(() -> new TaskNotFoundException(id));
            if (!caller.mayServe(host)) {
                throw new ForeignHostException(host);
            }
            hosts.seen(host);
        }
        return true;
    }

    private static UUID taskId(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new TaskNotFoundException(text);
        }
    }
}
