package io.numashift.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.NullNode;

/**
 * The HTTP API of the service at one or more URLs (replicas that share a database): a request
 * goes to the URL that answered last, and to the next when one cannot be reached or answers 503,
 * so that a replica that is away costs one failed connection. An answer that is not a success
 * ends the command ({@link ExitCodes#ofProblem}); 429 is tried again a few times first.
 */
final class Api {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final int BUSY_TRIES = 4;

    private final List<URI> urls;
    private final String token;
    private int current;

    Api(List<URI> urls, String token) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no URL");
        }
        this.urls = List.copyOf(urls);
        this.token = token;
    }

    /** An answer of the service: its status and its body as JSON ({@code null} node when empty). */
    private record Answer(int status, JsonNode body) {}

    JsonNode get(String path) {
        return send("GET", path, null, Map.of(), READ_TIMEOUT).body();
    }

    /** A GET that may take up to {@code wait} on the service's side (a blocking read). */
    JsonNode getWaiting(String path, Duration wait) {
        return send("GET", path, null, Map.of(), wait.plus(READ_TIMEOUT)).body();
    }

    JsonNode post(String path, @Nullable String body, Map<String, String> headers) {
        return send("POST", path, body, headers, READ_TIMEOUT).body();
    }

    private Answer send(
            String method, String path, @Nullable String body, Map<String, String> headers, Duration timeout) {
        List<String> unreachable = new ArrayList<>();
        for (int tried = 0; tried < urls.size(); tried++) {
            URI url = urls.get(current);
            Answer answer;
            try {
                answer = sendBusyAware(url, method, path, body, headers, timeout);
            } catch (SocketTimeoutException e) {
                unreachable.add(url + " (no answer within " + timeout.toSeconds() + " s)");
                current = (current + 1) % urls.size();
                continue;
            } catch (IOException e) {
                unreachable.add(url + " (" + reason(e) + ")");
                current = (current + 1) % urls.size();
                continue;
            }
            if (answer.status() == 503) {
                unreachable.add(url + " (503 " + answer.body().path("detail").asString("unavailable") + ")");
                current = (current + 1) % urls.size();
                continue;
            }
            if (answer.status() >= 300) {
                throw ExitCodes.ofProblem(answer.status(), answer.body());
            }
            return answer;
        }
        throw new CliException(
                ExitCodes.UNREACHABLE,
                "cannot reach the service at " + String.join(", ", unreachable)
                        + ": is it running? set --url or NUMASHIFT_URL to its address");
    }

    private Answer sendBusyAware(
            URI url, String method, String path, @Nullable String body, Map<String, String> headers, Duration timeout)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            Answer answer = sendOnce(url, method, path, body, headers, timeout);
            if (answer.status() != 429 || attempt == BUSY_TRIES) {
                return answer;
            }
            try {
                Thread.sleep(250L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer;
            }
        }
    }

    /**
     * One request. {@link HttpURLConnection} rather than {@code java.net.http.HttpClient}: the
     * latter sets up TLS when it is built, which costs a plain-HTTP call a third of its start.
     */
    private Answer sendOnce(
            URI url, String method, String path, @Nullable String body, Map<String, String> headers, Duration timeout)
            throws IOException {
        HttpURLConnection connection =
                (HttpURLConnection) url.resolve(path).toURL().openConnection();
        try {
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            connection.setRequestMethod(method);
            connection.setInstanceFollowRedirects(false);
            connection.setRequestProperty("Authorization", "Bearer " + token);
            connection.setRequestProperty("Accept", "application/json");
            headers.forEach(connection::setRequestProperty);
            if (body != null) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(bytes.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(bytes);
                }
            } else if (method.equals("POST")) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(0);
                connection.getOutputStream().close();
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String text;
            try (InputStream stream = in) {
                text = stream == null ? "" : new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
            return new Answer(status, parse(url, status, text));
        } finally {
            connection.disconnect();
        }
    }

    private static JsonNode parse(URI url, int status, String text) {
        if (text.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            if (status >= 300) {
                // A proxy or a server that is not numashift: its words, without the markup.
                return JSON.createObjectNode()
                        .put("detail", text.strip().lines().findFirst().orElse(""));
            }
            throw new CliException(ExitCodes.SOFTWARE, url + " answered " + status + " with a body that is not JSON");
        }
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
