package io.numashift.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Problem details written by the filter, before any controller runs. */
final class Problems {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Problems() {}

    static void write(HttpServletResponse response, int status, String title, String code, String detail)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("code", code);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.getOutputStream().write(MAPPER.writeValueAsBytes(body));
    }
}
