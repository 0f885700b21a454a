package io.numashift.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.Errno;
import io.numashift.security.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps docs/api.md true against the running service and the code base:
 *
 * <ul>
 *   <li>its operations are the headings written {@code METHOD /path} (after their number), and
 *       they are exactly the operations of the OpenAPI document; every {@code METHOD /api/...} its
 *       text names is one;
 *   <li>every status an operation documents in OpenAPI is in the status table of that operation's
 *       section or in the table of {@value #EVERY_OPERATION}, and every status of an operation's
 *       table is one OpenAPI documents for it;
 *   <li>the table of {@value #CODES} holds exactly the problem codes the sources answer with, each
 *       with the statuses it is answered with;
 *   <li>the table of {@value #FAILURE_CODES} holds every code the service and its agent write into
 *       a job's failures, and nothing else; every {@code numashift.} meter is named.
 * </ul>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApiDocumentTest {
    private static final Path PAGE = Path.of("docs", "api.md");
    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final String VIEWER = "api-document-viewer";
    private static final String EVERY_OPERATION = "Answers every operation may give";
    private static final String CODES = "Codes";
    private static final String FAILURE_CODES = "Failure codes";
    /** An operation's heading: its number, if any, then {@code METHOD /path}. */
    private static final Pattern OPERATION = Pattern.compile("(?:[\\d.]+ )?(GET|POST|PUT|PATCH|DELETE) (/\\S*)");

    private static final Pattern NAMED_OPERATION = Pattern.compile("\\b(GET|POST|PUT|PATCH|DELETE) (/api/[^\\s`?]*)");
    private static final Pattern STATUS = Pattern.compile("\\b[1-5]\\d\\d\\b");
    private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z0-9_]*)`");

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("numashift.data-dir", () -> dataDir.toString());
        registry.add("numashift.sim.embedded-agents", () -> "false");
        registry.add("numashift.security.tokens[0].name", () -> "api-document");
        registry.add("numashift.security.tokens[0].sha256", () -> Tokens.sha256Hex(VIEWER));
        registry.add("numashift.security.tokens[0].roles", () -> "VIEWER");
    }

    @LocalServerPort
    int port;

    // ---- the page ----

    /** A heading of the page and the lines up to the next heading of its level or above. */
    private record Section(int level, String title, List<String> lines) {}

    /** A table: its header cells and the cells of each row. */
    private record Table(List<String> header, List<List<String>> rows) {}

    private record Operation(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final Comparator<Operation> BY_PATH =
            Comparator.comparing(Operation::path).thenComparing(Operation::method);

    private static List<Section> sections() throws IOException {
        List<String> lines = Files.readAllLines(PAGE);
        List<int[]> headings = new ArrayList<>();
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced && line.startsWith("#")) {
                int level = line.indexOf(' ');
                if (level > 0 && line.substring(0, level).chars().allMatch(c -> c == '#')) {
                    headings.add(new int[] {i, level});
                }
            }
        }
        List<Section> sections = new ArrayList<>();
        for (int h = 0; h < headings.size(); h++) {
            int start = headings.get(h)[0];
            int level = headings.get(h)[1];
            int end = lines.size();
            for (int next = h + 1; next < headings.size(); next++) {
                if (headings.get(next)[1] <= level) {
                    end = headings.get(next)[0];
                    break;
                }
            }
            String title = lines.get(start).substring(level).strip().replace("`", "");
            sections.add(new Section(level, title, lines.subList(start + 1, end)));
        }
        return sections;
    }

    private static Section section(String title) throws IOException {
        List<Section> found =
                sections().stream().filter(s -> s.title().endsWith(title)).toList();
        assertThat(found).as("sections of %s titled '%s'", PAGE, title).hasSize(1);
        return found.getFirst();
    }

    private static List<Table> tables(List<String> lines) {
        List<Table> tables = new ArrayList<>();
        List<String> block = new ArrayList<>();
        for (String line : Stream.concat(lines.stream(), Stream.of("")).toList()) {
            if (line.startsWith("|")) {
                block.add(line);
            } else if (!block.isEmpty()) {
                List<List<String>> rows = block.stream()
                        .filter(l -> !l.matches("\\|[-|: ]+\\|?"))
                        .map(ApiDocumentTest::cells)
                        .toList();
                tables.add(new Table(rows.getFirst(), rows.subList(1, rows.size())));
                block.clear();
            }
        }
        return tables;
    }

    private static List<String> cells(String row) {
        String inner = row.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        return Arrays.stream(inner.split("\\|")).map(String::strip).toList();
    }

    /** The table of a section whose first header cell is this, e.g. {@code status}. */
    private static Table table(Section section, String firstColumn) {
        List<Table> found = tables(section.lines()).stream()
                .filter(t -> t.header().getFirst().equals(firstColumn))
                .toList();
        assertThat(found)
                .as("tables headed '%s' in section '%s' of %s", firstColumn, section.title(), PAGE)
                .hasSize(1);
        return found.getFirst();
    }

    private static Set<Integer> statuses(String text) {
        Set<Integer> statuses = new TreeSet<>();
        Matcher m = STATUS.matcher(text);
        while (m.find()) {
            statuses.add(Integer.parseInt(m.group()));
        }
        return statuses;
    }

    private static Set<String> codes(String text) {
        Set<String> codes = new TreeSet<>();
        Matcher m = CODE.matcher(text);
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }

    /** The operations of the page: its headings written {@code METHOD /path}, with their sections. */
    private static Map<Operation, Section> documentedOperations() throws IOException {
        Map<Operation, Section> operations = new TreeMap<>(BY_PATH);
        for (Section section : sections()) {
            Matcher m = OPERATION.matcher(section.title());
            if (m.matches()) {
                Operation operation = new Operation(m.group(1), m.group(2));
                assertThat(operations.put(operation, section))
                        .as("%s is documented twice", operation)
                        .isNull();
            }
        }
        return operations;
    }

    // ---- the OpenAPI document ----

    private JsonNode openApi() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/api-docs"))
                .header("Authorization", "Bearer " + VIEWER)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JsonMapper.builder().build().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every operation of the OpenAPI document with the statuses it documents. */
    private Map<Operation, Set<Integer>> openApiOperations() {
        Map<Operation, Set<Integer>> operations = new TreeMap<>(BY_PATH);
        JsonNode paths = openApi().get("paths");
        for (String path : paths.propertyNames()) {
            JsonNode item = paths.get(path);
            for (String method : item.propertyNames()) {
                if (!Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace")
                        .contains(method)) {
                    continue;
                }
                Set<Integer> statuses = new TreeSet<>();
                for (String status : item.get(method).get("responses").propertyNames()) {
                    assertThat(status)
                            .as("%s %s documents a response that is not a status", method, path)
                            .matches("\\d{3}");
                    statuses.add(Integer.parseInt(status));
                }
                operations.put(new Operation(method.toUpperCase(Locale.ROOT), path), statuses);
            }
        }
        assertThat(operations).as("operations of /v3/api-docs").isNotEmpty();
        return operations;
    }

    // ---- the sources ----

    private static Map<Path, String> sources() throws IOException {
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            // The command line is a client: it reads problems' codes and writes none.
            for (Path file : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.startsWith(SOURCES.resolve("io/numashift/cli")))
                    .toList()) {
                sources.put(file, Files.readString(file));
            }
        }
        return sources;
    }

    /**
     * The problem codes the sources answer with, each with the statuses they pair it with where
     * the status is written out: {@code ApiProblem.of(HttpStatus.X, "CODE", …)}, {@code
     * ApiProblem.invalid(…)} (400 EINVAL), the filters' {@code ApiProblem.write(request, response,
     * HttpStatus.X, "CODE", …)}, and {@link ApiProblem#codeOf} of every error status (what the web
     * server's own errors are answered with).
     */
    private static Map<String, Set<Integer>> emittedCodes() throws IOException {
        Map<String, Set<Integer>> codes = new TreeMap<>();
        Pattern of = Pattern.compile("ApiProblem\\.of\\(\\s*HttpStatus\\.([A-Z_]+),\\s*\"([A-Z_]+)\"");
        Pattern write =
                Pattern.compile("ApiProblem\\.write\\(\\s*\\w+,\\s*\\w+,\\s*HttpStatus\\.([A-Z_]+),\\s*\"([A-Z_]+)\"");
        Set<Path> writers = new TreeSet<>();
        for (Map.Entry<Path, String> source : sources().entrySet()) {
            String text = source.getValue();
            if (text.contains("\"code\"") || text.contains("\\\"code\\\"")) {
                writers.add(source.getKey().getFileName());
            }
            Matcher m = of.matcher(text);
            while (m.find()) {
                add(codes, m.group(2), HttpStatus.valueOf(m.group(1)).value());
            }
            m = write.matcher(text);
            while (m.find()) {
                add(codes, m.group(2), HttpStatus.valueOf(m.group(1)).value());
            }
            if (text.contains("ApiProblem.invalid(")) {
                add(codes, "EINVAL", 400);
            }
        }
        assertThat(writers)
                .as("the sources that write a problem's code; a new one must be read here too")
                .containsExactlyInAnyOrder(Path.of("ApiProblem.java"));
        for (HttpStatus status : HttpStatus.values()) {
            if (status.isError()) {
                codes.computeIfAbsent(ApiProblem.codeOf(status), c -> new TreeSet<>());
            }
        }
        return codes;
    }

    private static void add(Map<String, Set<Integer>> codes, String code, int status) {
        codes.computeIfAbsent(code, c -> new TreeSet<>()).add(status);
    }

    // ---- the checks ----

    @Test
    void documentsExactlyTheOperationsOfTheOpenApiDocument() throws IOException {
        Set<Operation> served = openApiOperations().keySet();
        Set<Operation> documented = documentedOperations().keySet();

        assertThat(documented)
                .as("the operations of %s (headings 'METHOD /path') against /v3/api-docs", PAGE)
                .containsExactlyInAnyOrderElementsOf(served);

        Set<Operation> named = new TreeSet<>(BY_PATH);
        Matcher m = NAMED_OPERATION.matcher(Files.readString(PAGE));
        while (m.find()) {
            named.add(new Operation(m.group(1), m.group(2)));
        }
        assertThat(served).as("the operations that %s names in its text", PAGE).containsAll(named);
    }

    @Test
    void documentsEveryStatusOfEveryOperation() throws IOException {
        Map<Operation, Set<Integer>> served = openApiOperations();
        Map<Operation, Section> documented = documentedOperations();
        Set<Integer> everywhere = new TreeSet<>();
        table(section(EVERY_OPERATION), "status").rows().forEach(row -> everywhere.addAll(statuses(row.getFirst())));
        assertThat(everywhere).as("the statuses of '%s'", EVERY_OPERATION).isNotEmpty();

        List<String> wrong = new ArrayList<>();
        served.forEach((operation, statuses) -> {
            Section section = documented.get(operation);
            if (section == null) {
                return; // reported by the test of the operations
            }
            Set<Integer> listed = new TreeSet<>();
            table(section, "status").rows().forEach(row -> listed.addAll(statuses(row.getFirst())));
            for (int status : statuses) {
                if (!listed.contains(status) && !everywhere.contains(status)) {
                    wrong.add(operation + ": " + status + " is in /v3/api-docs but not in " + PAGE);
                }
            }
            for (int status : listed) {
                if (!statuses.contains(status)) {
                    wrong.add(operation + ": " + status + " is in " + PAGE + " but not in /v3/api-docs");
                }
            }
        });
        assertThat(wrong).isEmpty();
    }

    @Test
    void theTableOfCodesHoldsExactlyTheCodesTheServiceAnswersWith() throws IOException {
        Map<String, Set<Integer>> emitted = emittedCodes();
        Map<String, Set<Integer>> documented = new TreeMap<>();
        for (List<String> row : table(section(CODES), "code").rows()) {
            Set<String> codes = codes(row.getFirst());
            assertThat(codes).as("the code of row %s", row).hasSize(1);
            assertThat(documented.put(codes.iterator().next(), statuses(row.get(1))))
                    .as("code %s has two rows", codes)
                    .isNull();
        }

        assertThat(documented.keySet())
                .as("the codes of %s against those of the sources", PAGE)
                .containsExactlyInAnyOrderElementsOf(emitted.keySet());
        emitted.forEach((code, statuses) -> assertThat(documented.get(code))
                .as("the statuses of code %s", code)
                .containsAll(statuses));
    }

    @Test
    void theTableOfFailureCodesHoldsEveryCodeOfAJobsFailures() throws IOException {
        // Errnos of processes, and the task codes that the service and the agent write.
        Set<String> written = new TreeSet<>();
        Arrays.stream(Errno.values()).forEach(e -> written.add(e.name()));
        Map<Path, String> sources = sources();
        for (String file : List.of(
                "jobs/MigrationJob.java", "jobs/web/JobView.java", "dispatch/Dispatcher.java", "agent/Agent.java")) {
            String text = sources.get(SOURCES.resolve("io/numashift").resolve(file));
            assertThat(text).as(file).isNotNull();
            Matcher m = Pattern.compile("\"([A-Z][A-Z0-9_]{3,})\"").matcher(text);
            while (m.find()) {
                written.add(m.group(1));
            }
        }
        Set<String> documented = new TreeSet<>();
        table(section(FAILURE_CODES), "code").rows().forEach(row -> documented.addAll(codes(row.getFirst())));

        assertThat(documented)
                .as("the failure codes of %s against those the code writes", PAGE)
                .containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void namesEveryMetricOfTheService() throws IOException {
        Pattern meter = Pattern.compile(
                "(?:Counter|Gauge|Timer|DistributionSummary)\\.builder\\(\\s*\"(numashift\\.[a-z.]+)\"");
        Set<String> meters = new TreeSet<>();
        for (String text : sources().values()) {
            Matcher m = meter.matcher(text);
            while (m.find()) {
                meters.add(m.group(1));
            }
        }
        assertThat(meters).isNotEmpty();
        String page = Files.readString(PAGE);
        for (String name : meters) {
            String exposed = name.replace('.', '_');
            assertThat(page.contains("`" + exposed))
                    .as("%s names metric %s as `%s…`", PAGE, name, exposed)
                    .isTrue();
        }
    }
}
