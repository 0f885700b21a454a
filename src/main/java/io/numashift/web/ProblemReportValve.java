package io.numashift.web;

import java.io.IOException;
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
        HttpStatus answered =
                known != null ? known : status >= 500 ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.BAD_REQUEST;
        try {
            response.setCharacterEncoding("UTF-8");
            ApiProblem.write(request, response, answered, ApiProblem.codeOf(answered), ApiProblem.detailOf(answered));
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // The client went away; nothing to report to.
        }
    }
}
