package io.numashift.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over their limit with {@code 413}, whether their length is declared or
 * they arrive in chunks: {@value #MAX_BYTES} bytes, and {@value #MAX_RESULT_BYTES} for an agent's
 * result, which carries every VMA of every process of a task (a host with hundreds of processes of
 * thousands of VMAs reports megabytes).
 */
@Component
// After the token filter: a request without a known token is refused with 401 whatever its size.
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class BodyLimitFilter extends OncePerRequestFilter {
    static final int MAX_BYTES = 1 << 20;
    static final int MAX_RESULT_BYTES = 32 << 20;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = request.getRequestURI().startsWith("/api/v1/tasks/")
                        && request.getRequestURI().endsWith("/result")
                ? MAX_RESULT_BYTES
                : MAX_BYTES;
        if (request.getContentLengthLong() > limit) {
            ApiProblem.write(
                    request,
                    response,
                    HttpStatus.CONTENT_TOO_LARGE,
                    "EINVAL",
                    "request bodies are limited to " + limit + " bytes here");
            return;
        }
        chain.doFilter(new Limited(request, limit), response);
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0 && ++read > limit) {
                        throw new BodyTooLargeException(limit);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = in.read(buffer, offset, length);
                    if (n > 0 && (read += n) > limit) {
                        throw new BodyTooLargeException(limit);
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }

    /** A body that grew past the limit while being read. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long limit) {
            super("request bodies are limited to " + limit + " bytes here");
        }
    }
}
