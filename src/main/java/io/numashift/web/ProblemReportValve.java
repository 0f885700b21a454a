package io.numashift.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * The error report of Tomcat itself, for requests it refuses before any application code runs (a
 * malformed {@code %}-escape in the path, headers too large): a problem detail in JSON instead of
 * Tomcat's HTML page.
 */
public class ProblemReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String code = known == null ? (status >= 500 ? "INTERNAL" : "EINVAL") : ApiProblem.codeOf(known);
        String detail = known == null ? "the request failed" : ApiProblem.detailOf(known);
        String json = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                + detail + "\",\"code\":\"" + code + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            response.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // The client went away; nothing to report to.
        }
    }
}
