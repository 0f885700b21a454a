package io.numashift.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.numashift.NumashiftApplication;
import io.numashift.dispatch.ProtocolClient;
import io.numashift.security.Tokens;
import io.numashift.web.ApiOperations.Operation;
import io.numashift.web.HostileRequests.Credential;
import io.numashift.web.HostileRequests.HostileRequest;
import io.numashift.web.HostileRequests.Known;
import io.numashift.web.HostileRequests.Mutation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The service's promise to every caller, checked with hostile requests over HTTP: for each
 * operation of its own OpenAPI document, valid-ish requests (built from the schemas, naming real
 * hosts, jobs, tasks and epochs) with one thing wrong in them (a wrong JSON type, a null, a value
 * past its bounds, a huge string or array, an unknown or duplicate key, a missing field, a body that
 * is empty, malformed, too large or followed by garbage, a bad parameter, a wrong method) and odd
 * headers, sent without a token, with an unknown one, or as a viewer, an operator, or the agent of
 * the host or of another host. For every request:
 *
 * <ul>
 *   <li>no answer is a 5xx;
 *   <li>every error is {@code application/problem+json} with a {@code code} and a {@code detail}
 *       that names no Java class, package, method or library;
 *   <li>every status is one the document gives for the operation (405 is outside every operation);
 *   <li>a refusal (4xx) changes nothing: the job list and the host list read the same after it
 *       (hosts without {@code state} and {@code lastSeenAt}, which move with time alone);
 *   <li>both lists, and the job the request named, can still be read: nothing stored breaks a read.
 * </ul>
 *
 * <p>One subclass per database starts the service in this JVM once for its class ({@link #start}),
 * without embedded agents and without a reaper round during the run, so that nothing but the
 * requests changes what it stores. Requests that succeed do change it (a job submitted, a task
 * leased or reported), and later requests name what they created.
 *
 * <p>A failure shows the request (method, path, caller, headers, body) and the answer; the seed
 * jqwik prints drives both jqwik's choices and the {@link Random} that builds the request.
 * Shrinking is off: each request changes the service, so a shrunk request would run against another
 * state than the one that failed.
 */
abstract class HostileInputContract {
    private static final String OPERATOR = "hostile-operator-secret";
    private static final String VIEWER = "hostile-viewer-secret";
    private static final String AGENT_FA = "hostile-agent-fa-secret";
    private static final String AGENT_FB = "hostile-agent-fb-secret";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    private static final String PROBLEM_JSON = "application/problem+json";

    /** What a detail may not contain (unless the caller wrote it): names of Java code. */
    private static final List<Pattern> JAVA_NAMES = List.of(
            Pattern.compile("\\b(java|javax|jakarta|jdk|sun)\\.[a-z]"),
            Pattern.compile(
                    "tools\\.jackson|com\\.fasterxml|org\\.springframework|org\\.hibernate|org\\.apache|org\\.h2"
                            + "|io\\.numashift|io\\.swagger"),
            Pattern.compile("\\w*(Exception|Throwable)\\b|\\w+Error\\b"),
            Pattern.compile("\\.class\\b"),
            Pattern.compile("\\w\\$\\w"),
            Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*"),
            Pattern.compile("\\b[a-z]\\w*\\(\\)"));

    private static @Nullable ConfigurableApplicationContext service;
    private static URI base = URI.create("http://127.0.0.1");
    /** The service's limit on a request's line and headers together (Tomcat's default). */
    private static final int REQUEST_HEAD_LIMIT = 8 * 1024;

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();
    private static Known known = new Known();
    private static @Nullable ApiOperations api;
    private static @Nullable HostileRequests requests;
    /** The job and host lists as last read: before the next request. */
    private static @Nullable Snapshot current;

    private static final AtomicInteger HOSTILE = new AtomicInteger();
    private static final AtomicInteger CHECKING = new AtomicInteger();
    private static long startedAt;
    private static String database = "";

    /**
     * Starts the service with an operator, a viewer and agent tokens for hosts {@code fa} and {@code
     * fb}; registers both hosts, submits jobs on them and leases one on {@code fa}, so that a running
     * task with a known id and epoch exists; and reads the OpenAPI document.
     *
     * @param database what the database arguments point at, for the summary printed at the end
     * @param databaseArguments Spring arguments of the database; none for H2 in the data directory
     */
    static void start(String database, List<String> databaseArguments) {
        String run =
                System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path dataDir = Path.of("target", "hostile-input", run).toAbsolutePath();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--numashift.data-dir=" + dataDir,
                "--numashift.sim.embedded-agents=false",
                "--numashift.dispatch.reap-interval=1h",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        databaseArguments.forEach(argument -> args.add("--" + argument));
        token(args, 0, "hostile-operator", OPERATOR, "OPERATOR", "");
        token(args, 1, "hostile-viewer", VIEWER, "VIEWER", "");
        token(args, 2, "hostile-agent-fa", AGENT_FA, "AGENT", "fa");
        token(args, 3, "hostile-agent-fb", AGENT_FB, "AGENT", "fb");
        service = SpringApplication.run(NumashiftApplication.class, args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) service).getWebServer().getPort();
        base = URI.create("http://127.0.0.1:" + port);
        HostileInputContract.database = database;
        known = new Known();
        HOSTILE.set(0);
        CHECKING.set(0);

        ProtocolClient client = new ProtocolClient(port);
        assertThat(client.register("fa", AGENT_FA).status()).isEqualTo(200);
        assertThat(client.register("fb", AGENT_FB).status()).isEqualTo(200);
        for (int pid : Known.PIDS) {
            known.job(UUID.fromString(client.submit(OPERATOR, "fa", pid)));
        }
        known.job(UUID.fromString(client.submit(OPERATOR, "fb", Known.PIDS.getFirst())));
        ProtocolClient.Response lease = client.lease("fa", AGENT_FA, "0ms");
        assertThat(lease.status()).as("lease on fa: %s", lease.body()).isEqualTo(200);
        known.leased(task(lease.body()));

        api = ApiOperations.of(JSON.readTree(get("/v3/api-docs", VIEWER).body()));
        requests = new HostileRequests(api, known);
        current = snapshot(null);
        startedAt = System.nanoTime();
    }

    /** Stops the service, and says how many requests the run sent and in how long. */
    static void stop() {
        if (startedAt > 0) {
            System.out.printf(
                    "%s on %s: %d hostile requests and %d reads to check them in %.1f s%n",
                    HostileInputContract.class.getSimpleName(),
                    database,
                    HOSTILE.get(),
                    CHECKING.get(),
                    (System.nanoTime() - startedAt) / 1e9);
            startedAt = 0;
        }
        if (service != null) {
            service.close();
            service = null;
        }
    }

    /**
     * One operation of the document and what is done to its request.
     *
     * @param operation the operation
     * @param mutation the mutation
     */
    record Attack(Operation operation, Mutation mutation) {
        @Override
        public String toString() {
            return mutation + " on " + operation;
        }
    }

    @Provide
    Arbitrary<Attack> attacks() {
        return Arbitraries.of(api().operations()).flatMap(operation -> {
            List<Tuple.Tuple2<Integer, Mutation>> weighted = new ArrayList<>();
            for (Mutation mutation : Mutation.values()) {
                if (mutation.appliesTo(operation)) {
                    // Unmutated requests reach the operation's own checks and change the service, which
                    // gives later requests more to name; parameters are what bodyless operations have.
                    int weight = switch (mutation) {
                        case NONE -> 4;
                        case BAD_PARAMETER -> operation.body() == null ? 4 : 2;
                        default -> 1;
                    };
                    weighted.add(Tuple.of(weight, mutation));
                }
            }
            return Arbitraries.frequency(weighted).map(mutation -> new Attack(operation, mutation));
        });
    }

    @Provide
    Arbitrary<Credential> callers() {
        List<Tuple.Tuple2<Integer, Credential>> weighted = new ArrayList<>();
        for (Credential credential : Credential.values()) {
            // Mostly the token the request needs, so that most requests get past authorization.
            weighted.add(Tuple.of(credential == Credential.FITTING ? 12 : 1, credential));
        }
        return Arbitraries.frequency(weighted);
    }

    /** The tries come from each database's class ({@code @PropertyDefaults}). */
    @Property(shrinking = ShrinkingMode.OFF)
    void hostileRequestsAreRefusedClearlyWithDocumentedStatusesAndChangeNothing(
            @ForAll("attacks") Attack attack, @ForAll("callers") Credential caller, @ForAll long seed) {
        HostileRequest request = requests().build(attack.operation(), attack.mutation(), caller, new Random(seed));
        Snapshot before = Objects.requireNonNull(current);

        Exchange exchange = new Exchange(request, send(request));
        int status = exchange.answer().status();
        Statistics.label("answers").collect(attack.operation().toString(), status);
        if (reachedTheOperation(exchange.answer())) {
            Statistics.label("reached").collect(attack.operation().toString());
        }
        // Guards the generator: requests refused at the door (401, 406, 415...) say little about an
        // operation, so each must be reached (past authorization, media types and routing) often.
        Statistics.label("reached")
                .coverage(coverage -> api().operations()
                        .forEach(operation ->
                                coverage.check(operation.toString()).count(n -> n >= 5)));

        assertThat(status).as("status, for\n%s", exchange).isLessThan(500);
        if (status >= 400) {
            assertProblem(exchange);
        }
        assertDocumented(exchange);
        Snapshot after = snapshot(exchange);
        if (status >= 400) {
            assertUnchanged(before, after, exchange);
        }
        if (request.namedJob() != null) {
            Answer job = get("/api/v1/jobs/" + request.namedJob(), OPERATOR);
            assertThat(job.status())
                    .as("reading job %s after\n%s\nanswered %s", request.namedJob(), exchange, job)
                    .isEqualTo(200);
        }
        learn(exchange);
        current = after;
    }

    /**
     * Whether the operation itself answered: a success, one of its own refusals (404, 409, 422), or
     * a 400 that names the invalid fields of its parameters or body.
     */
    private static boolean reachedTheOperation(Answer answer) {
        int status = answer.status();
        return status < 300
                || status == 404
                || status == 409
                || status == 422
                || (status == 400
                        && answer.json().map(p -> p.path("errors").isArray()).orElse(false));
    }

    // ---- what every answer must be ----

    private static void assertProblem(Exchange exchange) {
        Answer answer = exchange.answer();
        assertThat(answer.mediaType())
                .as("media type of the error, for\n%s", exchange)
                .isEqualTo(PROBLEM_JSON);
        JsonNode problem = answer.json().orElse(null);
        assertThat(problem).as("the problem as JSON, for\n%s", exchange).isNotNull();
        assertThat(Objects.requireNonNull(problem).path("code").asString(""))
                .as("the problem's code, for\n%s", exchange)
                .isNotBlank();
        assertThat(problem.path("status").asInt())
                .as("the problem's status, for\n%s", exchange)
                .isEqualTo(answer.status());
        String detail = problem.path("detail").asString("");
        assertThat(detail).as("the problem's detail, for\n%s", exchange).isNotBlank();
        String written = exchange.request().callerText();
        for (Pattern javaName : JAVA_NAMES) {
            Matcher matcher = javaName.matcher(detail);
            while (matcher.find()) {
                if (!written.contains(matcher.group())) {
                    fail("the detail names Java code (\"%s\"), for\n%s", matcher.group(), exchange);
                }
            }
        }
    }

    private static void assertDocumented(Exchange exchange) {
        HostileRequest request = exchange.request();
        Answer answer = exchange.answer();
        if (request.mutation() == Mutation.WRONG_METHOD) {
            assertThat(answer.status())
                    .as("status of a method the path does not have, for\n%s", exchange)
                    .isIn(400, 401, 403, 405); // 400: a path Tomcat refuses (an escaped backslash)
            return;
        }
        if (answer.status() == 405) {
            return; // Not an answer of the operation: the method did not reach it.
        }
        Operation operation = request.operation();
        assertThat(operation.answers().keySet())
                .as("statuses the document gives for %s, for\n%s", operation, exchange)
                .contains(answer.status());
        if (answer.status() < 300) {
            var types = operation.answers().get(answer.status());
            if (types.isEmpty()) {
                assertThat(answer.body())
                        .as("body of a status without content, for\n%s", exchange)
                        .isEmpty();
            } else {
                assertThat(types)
                        .as("media types documented, for\n%s", exchange)
                        .contains(answer.mediaType());
            }
        }
    }

    private static void assertUnchanged(Snapshot before, Snapshot after, Exchange exchange) {
        assertThat(differences("job", before.jobs(), after.jobs(), "id"))
                .as("jobs changed by a refused request:\n%s", exchange)
                .isEmpty();
        assertThat(differences("host", before.hosts(), after.hosts(), "name"))
                .as("hosts changed by a refused request:\n%s", exchange)
                .isEmpty();
    }

    /** Items added, removed or changed between two lists, each with both versions. */
    private static List<String> differences(String what, JsonNode before, JsonNode after, String key) {
        Map<String, JsonNode> was = byKey(before, key);
        Map<String, JsonNode> is = byKey(after, key);
        List<String> differences = new ArrayList<>();
        was.forEach((id, item) -> {
            if (!is.containsKey(id)) {
                differences.add(what + " " + id + " is gone; it was " + item);
            } else if (!is.get(id).equals(item)) {
                differences.add(what + " " + id + " was " + item + "\n  and is " + is.get(id));
            }
        });
        is.forEach((id, item) -> {
            if (!was.containsKey(id)) {
                differences.add(what + " " + id + " is new: " + item);
            }
        });
        return differences;
    }

    private static Map<String, JsonNode> byKey(JsonNode page, String key) {
        Map<String, JsonNode> items = new TreeMap<>();
        page.path("items").forEach(item -> items.put(item.path(key).asString(), item));
        return items;
    }

    // ---- what the service holds ----

    /**
     * The first page of jobs and of hosts, as an operator reads them.
     *
     * @param jobs the job page
     * @param hosts the host page, each host without its {@code state} and {@code lastSeenAt}
     */
    record Snapshot(JsonNode jobs, JsonNode hosts) {}

    /** Reads both lists; each read must succeed, whatever the request before it stored. */
    private static Snapshot snapshot(@Nullable Exchange after) {
        Answer jobs = get("/api/v1/jobs?limit=500", OPERATOR);
        Answer hosts = get("/api/v1/hosts?limit=500", OPERATOR);
        String cause = after == null ? "setup" : after.toString();
        assertThat(jobs.status())
                .as("listing jobs answered %s, after\n%s", jobs, cause)
                .isEqualTo(200);
        assertThat(hosts.status())
                .as("listing hosts answered %s, after\n%s", hosts, cause)
                .isEqualTo(200);
        JsonNode hostPage = hosts.json().orElseThrow();
        // The state and the time an agent was last seen move with time alone; nothing else may move
        // without a request that succeeded (the running task moves only with a lease, a result or a
        // release, so it is compared too).
        hostPage.path("items").forEach(host -> ((ObjectNode) host).remove(List.of("state", "lastSeenAt")));
        return new Snapshot(jobs.json().orElseThrow(), hostPage);
    }

    /** Remembers what a successful request created, so that later requests can name it. */
    private static void learn(Exchange exchange) {
        Answer answer = exchange.answer();
        String path = exchange.request().operation().path();
        if (answer.status() >= 300 || answer.json().isEmpty()) {
            return;
        }
        JsonNode body = answer.json().get();
        if (path.equals("/api/v1/jobs") || path.equals("/api/v1/jobs/{id}/retry")) {
            if (exchange.request().method().equals("POST")) {
                known.job(UUID.fromString(body.get("id").asString()));
            }
        } else if (path.equals("/api/v1/agents/{host}/lease")) {
            known.leased(task(body));
        }
        if (body.path("next").isString()) {
            known.cursor(path, body.get("next").asString());
        }
    }

    private static Known.Task task(JsonNode lease) {
        return new Known.Task(
                UUID.fromString(lease.get("taskId").asString()),
                UUID.fromString(lease.get("jobId").asString()),
                lease.get("host").asString(),
                lease.get("epoch").asLong(),
                lease.path("targets")
                        .path("pids")
                        .valueStream()
                        .map(JsonNode::asInt)
                        .toList());
    }

    // ---- HTTP ----

    /**
     * An answer.
     *
     * @param status the status
     * @param contentType the Content-Type header, or empty
     * @param body the body (of an event stream, its first event)
     */
    record Answer(int status, String contentType, String body) {
        String mediaType() {
            int semicolon = contentType.indexOf(';');
            return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                    .trim()
                    .toLowerCase();
        }

        Optional<JsonNode> json() {
            try {
                return body.isBlank() ? Optional.empty() : Optional.of(JSON.readTree(body));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        @Override
        public String toString() {
            return status + " " + contentType + "\n  " + HostileRequests.abbreviate(body, 2000);
        }
    }

    /**
     * A request and its answer, as a failure shows them.
     *
     * @param request the request
     * @param answer the answer
     */
    record Exchange(HostileRequest request, Answer answer) {
        @Override
        public String toString() {
            return request + "\nanswered " + answer;
        }
    }

    private static Answer send(HostileRequest request) {
        HOSTILE.incrementAndGet();
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(base + request.target())).timeout(ANSWER_WITHIN);
        authorization(request.credential()).ifPresent(value -> builder.header("Authorization", value));
        request.headers().forEach(builder::header);
        HttpRequest.BodyPublisher body;
        if (request.body() == null) {
            body = HttpRequest.BodyPublishers.noBody();
        } else {
            byte[] bytes = request.body().getBytes(StandardCharsets.UTF_8);
            body = request.chunked()
                    ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))
                    : HttpRequest.BodyPublishers.ofByteArray(bytes);
        }
        HttpRequest built = builder.method(request.method(), body).build();
        // A request whose line and headers pass the service's limit (8 KiB, docs/api.md "Limits") is
        // answered 400 and its connection closed before its body is read; a client still sending the
        // body may find the connection reset before it reads the answer. Such a request reaches
        // nothing, so it is sent again for its answer (a reset is rare: about 1 in 100).
        boolean oversized = request.body() != null && request.target().length() + 2_048 > REQUEST_HEAD_LIMIT;
        for (int tries = 1; oversized && tries < 5; tries++) {
            try {
                return answer(built);
            } catch (IOException e) {
                // Sent again below, or reported by the last try.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while sending\n%s", request);
            }
        }
        return exchange(built, request.toString());
    }

    private static Answer get(String target, String token) {
        CHECKING.incrementAndGet();
        return exchange(
                HttpRequest.newBuilder(URI.create(base + target))
                        .timeout(ANSWER_WITHIN)
                        .header("Authorization", "Bearer " + token)
                        .GET()
                        .build(),
                "GET " + target);
    }

    /** Sends a request; of an event stream, reads only the first event. */
    private static Answer exchange(HttpRequest request, String shown) {
        try {
            return answer(request);
        } catch (IOException e) {
            return fail("no answer to\n%s\n(%s)", shown, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while sending\n%s", shown);
        }
    }

    private static Answer answer(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        boolean stream = contentType.startsWith("text/event-stream");
        Future<String> body = READERS.submit(() -> read(response.body(), stream));
        try {
            return new Answer(
                    response.statusCode(), contentType, body.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return fail("no whole answer within %s to\n%s", ANSWER_WITHIN, request);
        } catch (ExecutionException e) {
            throw new IOException("reading the answer failed", e.getCause());
        } finally {
            response.body().close();
        }
    }

    /** Reads a body to its end; of an event stream, to the end of the first event. */
    private static String read(InputStream in, boolean stream) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
            if (stream && b == '\n' && endsWithBlankLine(out)) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean endsWithBlankLine(ByteArrayOutputStream out) {
        String text = out.toString(StandardCharsets.UTF_8);
        return text.endsWith("\n\n") || text.endsWith("\r\n\r\n");
    }

    private static Optional<String> authorization(Credential credential) {
        return switch (credential) {
            case NONE -> Optional.empty();
            case UNKNOWN_TOKEN -> Optional.of("Bearer not-a-known-token");
            case NOT_BEARER ->
                Optional.of("Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString(("operator:" + OPERATOR).getBytes(StandardCharsets.UTF_8)));
            case VIEWER -> Optional.of("Bearer " + VIEWER);
            case OPERATOR -> Optional.of("Bearer " + OPERATOR);
            case AGENT_FA -> Optional.of("Bearer " + AGENT_FA);
            case AGENT_FB -> Optional.of("Bearer " + AGENT_FB);
            case FITTING ->
                throw new IllegalArgumentException("a fitting caller is resolved when the request is built");
        };
    }

    private static void token(List<String> args, int i, String name, String secret, String role, String hosts) {
        String prefix = "--numashift.security.tokens[" + i + "].";
        args.add(prefix + "name=" + name);
        args.add(prefix + "sha256=" + Tokens.sha256Hex(secret));
        args.add(prefix + "roles=" + role);
        args.add(prefix + "hosts=" + hosts);
    }

    private static ApiOperations api() {
        return Objects.requireNonNull(api, "the service was not started");
    }

    private static HostileRequests requests() {
        return Objects.requireNonNull(requests, "the service was not started");
    }
}
