package io.numashift.web;

import io.numashift.web.ApiOperations.Operation;
import io.numashift.web.ApiOperations.Parameter;
import io.numashift.web.JsonText.Arr;
import io.numashift.web.JsonText.Bool;
import io.numashift.web.JsonText.Member;
import io.numashift.web.JsonText.Null;
import io.numashift.web.JsonText.Num;
import io.numashift.web.JsonText.Obj;
import io.numashift.web.JsonText.Slot;
import io.numashift.web.JsonText.Str;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * Builds one hostile request for an operation of the OpenAPI document from a seed: first a
 * valid-ish request, walking the schemas of its parameters and body (types, bounds, enums, patterns
 * roughly; real host names, job ids, task ids, epochs and pids where the field names one), then one
 * {@link Mutation}, then headers ({@code Accept}, {@code Content-Type}, sometimes an {@code
 * Idempotency-Key}) and a caller.
 */
final class HostileRequests {
    /** The hosts the service knows; the test registers them. */
    static final List<String> HOSTS = List.of("fa", "fb");

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";
    /** Waits that keep blocking reads short. */
    private static final List<String> SHORT_WAITS = List.of("0ms", "1ms", "0", "0s", "2ms");
    /** Strings that fields with a pattern may take; a pattern picks those it matches. */
    private static final List<String> PLAUSIBLE = List.of(
            "fa",
            "fb",
            "simulated",
            "linux",
            "test",
            "1.0.0",
            "v2",
            "/sys/fs/cgroup/cpuset/batch",
            "/a",
            "EINVAL",
            "AGENT_ERROR",
            "0x7f0000000000",
            "0x400000",
            "0x0",
            "4096",
            "0",
            "k",
            "key-1");
    /** Characters that are no trouble for JSON or URLs, and some that are. */
    private static final String PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";

    private static final String NASTY = PLAIN + " :/\\\"'{}[],;%&?#=+<>|`~!@*()^é中\u00a0\u200b\u202e\u0000\u0001\t\n";
    /** Characters a database, a JSON writer or a log may not take as they are. */
    private static final List<String> ODD_CHARACTERS =
            List.of("\u0000", "\ud800", "\udc00", "\u202e", "\u0001", "\u001b", "\r", "😀", "\ufffd", "\u2028");

    private static final List<String> ODD_STRINGS = List.of(
            "",
            " ",
            "\u0000",
            "\ud800",
            "\udfff\ud800",
            "\u202eevil",
            "\r\n",
            "😀😀😀",
            "null",
            "0",
            "-1",
            "true",
            "{}",
            "[]",
            "<script>",
            "' OR 1=1 --",
            "%00",
            "..",
            "../../etc/passwd");

    private final ApiOperations api;
    private final Known known;
    /** Keys for maps the document gives no key type for. */
    private final List<String> mapKeys;
    /**
     * Keys of the maps whose keys are an enum (or node ids) the document cannot say: {@code
     * pagesFailed} is by errno, {@code pagesSkipped} by the reason a VMA was skipped.
     */
    private final Map<String, List<String>> keysByMap;

    HostileRequests(ApiOperations api, Known known) {
        this.api = api;
        this.known = known;
        List<String> keys = new ArrayList<>(List.of("0", "1", "2", "team", "k"));
        keys.addAll(api.enumValues());
        this.mapKeys = List.copyOf(keys);
        this.keysByMap = Map.of(
                "pagesFailed", api.enumOf("errno"),
                "pagesSkipped", api.enumOf("reason"),
                "placementBefore", List.of("0", "1"),
                "placementAfter", List.of("0", "1"),
                "labels", List.of("team", "batch-job", "k"));
    }

    /** What is done to the valid-ish request. */
    enum Mutation {
        /** Nothing: the valid-ish request as generated (often valid, sometimes not). */
        NONE,
        /** A value of another JSON type somewhere in the body. */
        WRONG_TYPE,
        /** {@code null} somewhere in the body, also inside arrays and maps, or as the whole body. */
        NULL_VALUE,
        /** A number or string at or past its bounds: negative, 0, max+1, Long.MAX_VALUE, 1e308, "". */
        BOUNDARY_VALUE,
        /** A string of 10,000 characters somewhere. */
        HUGE_STRING,
        /** An array one past its maxItems, or just very long. */
        LONG_ARRAY,
        /** A key the schema does not know. */
        UNKNOWN_KEY,
        /** The same key twice in one object. */
        DUPLICATE_KEY,
        /** A required (or any) field left out. */
        MISSING_REQUIRED,
        /** An empty body. */
        EMPTY_BODY,
        /** Text that is not JSON. */
        MALFORMED_JSON,
        /** Something after the JSON value. */
        TRAILING_GARBAGE,
        /** A body over the service's limit, declared or chunked. */
        OVERSIZED_BODY,
        /** A body sent to an operation that takes none. */
        STRAY_BODY,
        /** A parameter (path, query or header) of the wrong type, out of range, or garbage. */
        BAD_PARAMETER,
        /** A method the path does not have. */
        WRONG_METHOD;

        boolean appliesTo(Operation operation) {
            return switch (this) {
                case NONE, WRONG_METHOD -> true;
                case BAD_PARAMETER -> !operation.parameters().isEmpty();
                case STRAY_BODY -> operation.body() == null;
                default -> operation.body() != null;
            };
        }
    }

    /** Who calls. {@link #FITTING} is the token an honest client would use for the request. */
    enum Credential {
        FITTING,
        NONE,
        UNKNOWN_TOKEN,
        NOT_BEARER,
        VIEWER,
        OPERATOR,
        AGENT_FA,
        AGENT_FB
    }

    /**
     * A request, ready to send.
     *
     * @param operation the operation of the document it was generated for
     * @param mutation what was done to it
     * @param change where and how, e.g. {@code targets[0].pids[1] := "1"}
     * @param method the HTTP method
     * @param target the path and query, encoded
     * @param credential the caller (never {@link Credential#FITTING})
     * @param headers headers besides Authorization
     * @param body the body, or null for none
     * @param chunked whether the body is sent without a declared length
     * @param namedJob the job the request names (by id, or through its task), if a known one
     */
    record HostileRequest(
            Operation operation,
            Mutation mutation,
            String change,
            String method,
            String target,
            Credential credential,
            Map<String, String> headers,
            @Nullable String body,
            boolean chunked,
            @Nullable UUID namedJob) {

        /** Every text the caller wrote: what an answer may echo without leaking anything. */
        String callerText() {
            return java.net.URLDecoder.decode(target, StandardCharsets.UTF_8) + " " + headers + " "
                    + (body == null ? "" : body);
        }

        @Override
        public String toString() {
            String shownBody = body == null
                    ? "(none)"
                    : body.length() > 1500
                            ? body.substring(0, 1500) + "… (" + body.length() + " characters in all)"
                            : body;
            return method + " " + abbreviate(target, 600) + "\n  as " + credential + ", for " + operation + " with "
                    + mutation + (change.isEmpty() ? "" : ": " + abbreviate(change, 300)) + "\n  headers " + headers
                    + (chunked ? " (body chunked)" : "") + "\n  body " + shownBody;
        }
    }

    /** Builds a request for this operation, mutation and caller from the seed's randomness. */
    HostileRequest build(Operation operation, Mutation mutation, Credential credential, Random random) {
        Draft draft = new Draft(operation, random);
        for (Parameter parameter : operation.parameters()) {
            if (parameter.in().equals("header")) {
                continue; // Headers are chosen with the others, below.
            }
            boolean include = parameter.name().equals("after")
                    ? known.cursor(operation.path()).isPresent() && random.nextInt(10) < 4
                    : random.nextInt(10) < 4;
            if (parameter.required() || parameter.name().equals("wait") || include) {
                String text = parameterText(parameter, draft);
                draft.parameters.put(
                        parameter.name(), new Value(parameter.in().equals("path") ? segment(text) : text, false));
            }
        }
        if (operation.body() != null) {
            draft.body = value(operation.body(), "", draft, 0);
        }
        String change = mutate(draft, mutation);
        headers(draft, mutation);
        Credential caller = credential == Credential.FITTING ? fitting(draft) : credential;
        return draft.request(mutation, change, caller);
    }

    // ---- valid-ish values ----

    private String parameterText(Parameter parameter, Draft draft) {
        Random random = draft.random;
        switch (parameter.name()) {
            case "wait" -> {
                return pick(SHORT_WAITS, random);
            }
            case "host" -> {
                return random.nextInt(10) < 9 ? pick(HOSTS, random) : hostName(random);
            }
            case "name" -> {
                return random.nextInt(10) < 8 ? pick(HOSTS, random) : hostName(random);
            }
            case "id" -> {
                Optional<UUID> job = known.anyJob(random);
                if (job.isPresent() && random.nextInt(10) < 8) {
                    draft.namedJob = job.get();
                    return job.get().toString();
                }
                return random.nextBoolean() ? UUID.randomUUID().toString() : garbage(random, 12);
            }
            case "taskId" -> {
                Optional<Known.Task> task = random.nextInt(10) < 6 ? known.running() : known.anyTask(random);
                if (task.isPresent() && random.nextInt(10) < 9) {
                    draft.task = task.get();
                    draft.namedJob = task.get().job();
                    return task.get().id().toString();
                }
                return random.nextBoolean() ? UUID.randomUUID().toString() : garbage(random, 12);
            }
            case "index" -> {
                // wait is always sent, so that a read with index blocks for milliseconds at most.
                return Long.toString(random.nextInt(4) == 0 ? 0 : random.nextInt(20));
            }
            case "label" -> {
                return random.nextBoolean() ? "team:a" : "k:";
            }
            case "after" -> {
                Optional<String> cursor = known.cursor(draft.operation.path());
                if (cursor.isPresent() && random.nextInt(10) < 8) {
                    return cursor.get();
                }
                return java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(garbage(random, 8).getBytes(StandardCharsets.UTF_8));
            }
            default -> {
                JsonText value = value(parameter.schema(), parameter.name(), draft, 0);
                return value instanceof Str s ? s.value() : value.write();
            }
        }
    }

    /** A valid-ish value of the schema; {@code name} is the field's (or its array's) name. */
    private JsonText value(JsonNode declared, String name, Draft draft, int depth) {
        Random random = draft.random;
        JsonNode schema = api.resolve(declared);
        if (schema.has("oneOf")) {
            JsonNode choices = schema.get("oneOf");
            return value(choices.get(random.nextInt(choices.size())), name, draft, depth);
        }
        switch (type(schema)) {
            case "object" -> {
                Obj object = new Obj(schema);
                List<String> required = strings(schema.path("required"));
                schema.path("properties").properties().forEach(property -> {
                    String key = property.getKey();
                    if (required.contains(key) || (depth < 4 && random.nextInt(10) < 5)) {
                        object.members().add(new Member(key, value(property.getValue(), key, draft, depth + 1)));
                    }
                });
                squareDistances(object, random);
                if (schema.has("additionalProperties")
                        && schema.get("additionalProperties").isObject()) {
                    int entries = random.nextInt(3);
                    for (int i = 0; i < entries; i++) {
                        List<String> keys = keysByMap.getOrDefault(name, List.of());
                        String key =
                                !keys.isEmpty() && random.nextInt(10) < 9 ? pick(keys, random) : pick(mapKeys, random);
                        object.members()
                                .add(new Member(
                                        key, value(schema.get("additionalProperties"), name, draft, depth + 1)));
                    }
                }
                return object;
            }
            case "array" -> {
                Arr array = new Arr(schema);
                int min = schema.path("minItems").asInt(0);
                int max = Math.min(schema.path("maxItems").asInt(3), Math.max(min, 3));
                int length = min + random.nextInt(Math.max(1, max - min + 1));
                if ((name.equals("oldNodes") || name.equals("newNodes") || name.equals("processes"))
                        && random.nextInt(10) < 7) {
                    length = 1; // so that node mappings are often valid, and results name the one process
                }
                JsonNode items = schema.path("items");
                for (int i = 0; i < length; i++) {
                    array.items().add(value(items, name, draft, depth + 1));
                }
                return array;
            }
            case "integer" -> {
                return new Num(Long.toString(integer(schema, name, draft)), schema);
            }
            case "number" -> {
                double min = schema.path("minimum").asDouble(0);
                return new Num(Double.toString(min + random.nextInt(1000) / 10.0), schema);
            }
            case "boolean" -> {
                return new Bool(random.nextBoolean(), schema);
            }
            case "string" -> {
                return new Str(string(schema, name, draft), schema);
            }
            default -> {
                return new Null(schema);
            }
        }
    }

    /**
     * Makes a topology's distances a square matrix in the order of its nodes, most of the time: no
     * schema can say so, and without it nearly every generated registration would be refused.
     */
    private static void squareDistances(Obj object, Random random) {
        Optional<Member> nodes = object.members().stream()
                .filter(m -> m.key().equals("nodes") && m.value() instanceof Arr)
                .findFirst();
        int index = -1;
        for (int i = 0; i < object.members().size(); i++) {
            if (object.members().get(i).key().equals("distances")) {
                index = i;
            }
        }
        if (nodes.isEmpty() || index < 0 || random.nextInt(10) >= 7) {
            return;
        }
        int size = ((Arr) nodes.get().value()).items().size();
        JsonNode schema = object.members().get(index).value().schema();
        Arr rows = new Arr(schema);
        for (int row = 0; row < size; row++) {
            Arr columns = new Arr(schema.path("items"));
            for (int column = 0; column < size; column++) {
                columns.items()
                        .add(new Num(
                                row == column ? "10" : "20",
                                schema.path("items").path("items")));
            }
            rows.items().add(columns);
        }
        object.members().set(index, new Member("distances", rows));
    }

    private long integer(JsonNode schema, String name, Draft draft) {
        Random random = draft.random;
        switch (name) {
            case "pid", "pids" -> {
                if (draft.task != null && !draft.task.pids().isEmpty() && random.nextInt(10) < 8) {
                    return pick(draft.task.pids(), random);
                }
                return random.nextInt(10) < 8 ? pick(Known.PIDS, random) : 1 + random.nextInt(100);
            }
            case "pagesScanned",
                    "pagesMoved",
                    "pagesNotPresent",
                    "pagesLeftOnOldNodes",
                    "rolledBack",
                    "rollbackFailed",
                    "pagesSkipped",
                    "pagesFailed" -> {
                // Mostly none, so that a result's counts can add up.
                return random.nextInt(10) < 7 ? 0 : random.nextInt(20);
            }
            case "epoch" -> {
                if (draft.task != null && random.nextInt(10) < 8) {
                    return draft.task.epoch();
                }
                return 1 + random.nextInt(3);
            }
            case "oldNodes", "from", "intended" -> {
                return random.nextInt(4) == 0 ? 1 : 0;
            }
            case "newNodes", "to", "actual" -> {
                return random.nextInt(4) == 0 ? 0 : 1;
            }
            case "id" -> {
                return random.nextInt(2);
            }
            case "cpus" -> {
                return random.nextInt(64);
            }
            case "count" -> {
                return 1;
            }
            case "distances" -> {
                return random.nextBoolean() ? 10 : 20;
            }
            case "pageSize" -> {
                if (random.nextInt(10) < 8) {
                    return 4096;
                }
                // Otherwise within its bounds, and mostly not a power of two (the controller's own check).
            }
            case "capacityPages" -> {
                return 1000;
            }
            default -> {}
        }
        long min = schema.has("minimum")
                ? schema.get("minimum").asLong()
                : schema.has("exclusiveMinimum")
                        ? schema.get("exclusiveMinimum").asLong() + 1
                        : 0;
        long max = schema.has("maximum") ? schema.get("maximum").asLong() : min + 100;
        if (schema.has("default") && random.nextBoolean()) {
            return schema.get("default").asLong();
        }
        long span = Math.max(1, Math.min(max - min + 1, 101));
        return min + (long) random.nextInt((int) span);
    }

    private String string(JsonNode schema, String name, Draft draft) {
        Random random = draft.random;
        if (schema.has("enum")) {
            List<String> values = strings(schema.get("enum"));
            return pick(values, random);
        }
        if (name.equals("hosts") || name.equals("host")) {
            return random.nextInt(10) < 9 ? pick(HOSTS, random) : hostName(random);
        }
        String format = schema.path("format").asString("");
        if (format.equals("uuid")) {
            return UUID.randomUUID().toString();
        }
        if (format.equals("date-time")) {
            return "2026-01-01T00:00:00Z";
        }
        int maxLength = schema.path("maxLength").asInt(40);
        if (schema.has("pattern")) {
            Predicate<String> matches = matcher(schema.get("pattern").asString());
            List<String> fitting = PLAUSIBLE.stream()
                    .filter(matches)
                    .filter(s -> s.length() <= maxLength)
                    .toList();
            if (!fitting.isEmpty() && random.nextInt(10) < 8) {
                return pick(fitting, random);
            }
            for (int attempt = 0; attempt < 20; attempt++) {
                String candidate = text(random, PLAIN, 1 + random.nextInt(Math.min(12, maxLength)));
                if (matches.test(candidate)) {
                    return candidate;
                }
            }
        }
        String text = text(random, random.nextInt(4) == 0 ? NASTY : PLAIN, random.nextInt(Math.min(16, maxLength) + 1));
        if (random.nextInt(6) == 0) {
            // One character that text columns, JSON writers or terminals may not take as it is.
            int at = random.nextInt(text.length() + 1);
            text = text.substring(0, at) + pick(ODD_CHARACTERS, random) + text.substring(at);
        }
        return text.length() <= maxLength ? text : text.substring(0, maxLength);
    }

    private static Predicate<String> matcher(String regex) {
        try {
            Pattern pattern = Pattern.compile(regex);
            return s -> pattern.matcher(s).matches();
        } catch (PatternSyntaxException e) {
            return s -> true;
        }
    }

    // ---- mutations ----

    private String mutate(Draft draft, Mutation mutation) {
        Random random = draft.random;
        return switch (mutation) {
            case NONE -> "";
            case WRONG_TYPE -> replaceIn(draft, slot -> true, slot -> wrongType(slot.value(), random));
            case NULL_VALUE -> replaceIn(draft, slot -> true, slot -> new Null());
            case BOUNDARY_VALUE ->
                replaceIn(draft, slot -> isLeaf(slot.value()), slot -> boundary(slot.value(), random));
            case HUGE_STRING ->
                replaceIn(
                        draft,
                        slot -> slot.value() instanceof Str || isLeaf(slot.value()),
                        slot -> new Str(text(random, random.nextBoolean() ? PLAIN : NASTY, 10_000)));
            case LONG_ARRAY -> replaceIn(draft, slot -> slot.value() instanceof Arr, slot -> longArray(slot, draft));
            case UNKNOWN_KEY ->
                inObject(draft, object -> {
                    String key = random.nextBoolean() ? "unknownField" : garbage(random, 10);
                    object.members().add(random.nextInt(object.members().size() + 1), new Member(key, new Num("1")));
                    return "added key \"" + key + "\"";
                });
            case DUPLICATE_KEY ->
                inObject(draft, object -> {
                    if (object.members().isEmpty()) {
                        object.members().add(new Member("name", new Str("a")));
                        object.members().add(new Member("name", new Str("b")));
                        return "key \"name\" twice";
                    }
                    Member member = pick(object.members(), random);
                    JsonText again = random.nextBoolean() ? member.value() : wrongType(member.value(), random);
                    object.members().add(new Member(member.key(), again));
                    return "key \"" + member.key() + "\" twice";
                });
            case MISSING_REQUIRED ->
                inObject(draft, object -> {
                    List<String> required = strings(object.schema().path("required"));
                    List<Member> candidates = object.members().stream()
                            .filter(m -> required.contains(m.key()))
                            .toList();
                    if (candidates.isEmpty()) {
                        candidates = object.members();
                    }
                    if (candidates.isEmpty()) {
                        return "nothing to leave out";
                    }
                    Member member = pick(candidates, random);
                    object.members().removeIf(m -> m.key().equals(member.key()));
                    return "left out \"" + member.key() + "\"";
                });
            case EMPTY_BODY -> {
                draft.text = pick(List.of("", " ", "\n"), random);
                yield "empty body";
            }
            case MALFORMED_JSON -> {
                draft.text = malformed(draft.bodyText(), random);
                yield "malformed JSON";
            }
            case TRAILING_GARBAGE -> {
                String garbage = pick(List.of(" x", "}", "{}", " 1", ",", "]", " null", "\u0000", " //"), random);
                draft.text = draft.bodyText() + garbage;
                yield "trailing " + quoted(garbage);
            }
            case OVERSIZED_BODY -> {
                int size = (1 << 20) + 1 + random.nextInt(200_000);
                draft.text = "{\"name\": \"" + "x".repeat(size) + "\"}";
                draft.chunked = random.nextBoolean();
                yield "a body of " + draft.text.length() + " bytes" + (draft.chunked ? ", chunked" : "");
            }
            case STRAY_BODY -> {
                draft.text = random.nextBoolean() ? "{\"epoch\": 1, \"name\": \"x\"}" : garbage(random, 40);
                yield "a body where none belongs";
            }
            case BAD_PARAMETER -> badParameter(draft);
            case WRONG_METHOD -> {
                draft.method = pick(List.of("PUT", "DELETE", "PATCH"), random);
                yield "method " + draft.method;
            }
        };
    }

    private String replaceIn(Draft draft, Predicate<Slot> eligible, java.util.function.Function<Slot, JsonText> with) {
        JsonText root = draft.bodyTree();
        List<Slot> slots = JsonText.slots(root, v -> draft.body = v);
        List<Slot> candidates = slots.stream().filter(eligible).toList();
        Slot slot = pick(candidates.isEmpty() ? slots : candidates, draft.random);
        JsonText replacement = with.apply(slot);
        slot.replace().accept(replacement);
        return slot.path() + " := " + abbreviate(replacement.write(), 80);
    }

    private String inObject(Draft draft, java.util.function.Function<Obj, String> change) {
        JsonText root = draft.bodyTree();
        List<Obj> objects = JsonText.slots(root, v -> draft.body = v).stream()
                .filter(s -> s.value() instanceof Obj)
                .map(s -> (Obj) s.value())
                .toList();
        if (objects.isEmpty()) {
            Obj object = new Obj(MissingNode.getInstance());
            draft.body = object;
            return change.apply(object);
        }
        return change.apply(pick(objects, draft.random));
    }

    private static boolean isLeaf(JsonText value) {
        return !(value instanceof Obj) && !(value instanceof Arr);
    }

    private static JsonText wrongType(JsonText value, Random random) {
        List<JsonText> others = switch (value) {
            case Num n
            when n.literal().matches("-?\\d+") ->
                List.of(
                        new Str(n.literal()),
                        new Num(n.literal() + ".5"),
                        new Bool(true),
                        new Arr(new ArrayList<>(List.of(n)), MissingNode.getInstance()));
            case Num n -> List.of(new Str(n.literal()), new Bool(false), new Obj(MissingNode.getInstance()));
            case Bool b -> List.of(new Num(b.value() ? "1" : "0"), new Str(Boolean.toString(b.value())));
            case Str s ->
                List.of(
                        new Num("1"),
                        new Bool(true),
                        new Arr(new ArrayList<>(List.of(s)), MissingNode.getInstance()),
                        new Obj(MissingNode.getInstance()));
            case Arr a -> List.of(new Obj(MissingNode.getInstance()), new Str("[]"), new Num("1"));
            case Obj o -> List.of(new Arr(MissingNode.getInstance()), new Str("{}"), new Num("0"));
            case Null n -> List.of(new Num("0"), new Str(""), new Arr(MissingNode.getInstance()));
        };
        return pick(others, random);
    }

    private static JsonText boundary(JsonText value, Random random) {
        JsonNode schema = value.schema();
        if (value instanceof Str) {
            return new Str(pick(ODD_STRINGS, random));
        }
        List<String> numbers = new ArrayList<>(List.of(
                "-1",
                "0",
                "-0",
                "2147483647",
                "2147483648",
                "-2147483649",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775809",
                "1e308",
                "-1e308",
                "1e400",
                "1.0",
                "0.5",
                "1E2",
                "123456789012345678901234567890"));
        if (schema.has("maximum")) {
            numbers.add(Long.toString(schema.get("maximum").asLong() + 1));
            numbers.add(schema.get("maximum").asString());
        }
        if (schema.has("minimum")) {
            numbers.add(Long.toString(schema.get("minimum").asLong() - 1));
        }
        if (schema.has("exclusiveMinimum")) {
            numbers.add(schema.get("exclusiveMinimum").asString());
        }
        return new Num(pick(numbers, random), schema);
    }

    private JsonText longArray(Slot slot, Draft draft) {
        // A body without arrays gets one in place of some value.
        JsonNode schema = slot.value() instanceof Arr array ? array.schema() : MissingNode.getInstance();
        JsonText item = slot.value() instanceof Arr array
                ? array.items().isEmpty()
                        ? value(schema.path("items"), "", draft, 3)
                        : array.items().getFirst()
                : slot.value();
        int itemLength = item.write().length() + 1;
        int wanted =
                schema.has("maxItems") ? schema.get("maxItems").asInt() + 1 : 10_000 + draft.random.nextInt(50_000);
        // Stay under the service's body limit: a body it refuses for its size says nothing of the array.
        int length = Math.max(1, Math.min(wanted, 900_000 / itemLength));
        Arr longer = new Arr(schema);
        for (int i = 0; i < length; i++) {
            longer.items().add(item);
        }
        return longer;
    }

    private static String malformed(String text, Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> text.substring(0, random.nextInt(Math.max(1, text.length())));
            case 1 -> "{";
            case 2 -> "{\"epoch\":}";
            case 3 -> "[1,]";
            case 4 -> "{'epoch': 1}";
            case 5 -> "{epoch: 1}";
            case 6 -> "{\"epoch\": NaN}";
            case 7 -> "/* comment */ " + text;
            default -> "\ufeff" + text;
        };
    }

    private String badParameter(Draft draft) {
        Random random = draft.random;
        // Query parameters twice as often: path values are already garbage now and then.
        List<Parameter> parameters = new ArrayList<>();
        for (Parameter candidate : draft.operation.parameters()) {
            parameters.add(candidate);
            if (candidate.in().equals("query")) {
                parameters.add(candidate);
            }
        }
        Parameter parameter = pick(parameters, random);
        if (parameter.in().equals("header")) {
            draft.headers.put(parameter.name(), badHeader(random));
            return "header " + parameter.name() + ": " + quoted(draft.headers.get(parameter.name()));
        }
        Value valid = draft.parameters.get(parameter.name());
        String validText = valid != null ? valid.text() : parameterText(parameter, draft);
        Value value = badValue(parameter, validText, random);
        if (parameter.in().equals("query") && random.nextInt(6) == 0) {
            // The parameter twice; the second time with a valid-ish value.
            draft.repeated.put(parameter.name(), draft.parameters.getOrDefault(parameter.name(), value));
        }
        draft.parameters.put(parameter.name(), value);
        return parameter.in() + " parameter " + parameter.name() + " = " + abbreviate(quoted(value.text()), 80)
                + (value.encoded() ? " (sent as written)" : "")
                + (draft.repeated.containsKey(parameter.name()) ? ", twice" : "");
    }

    /** A bad value: made from the valid one (its numbers overflowed or negated, a suffix), or from a list. */
    private static Value badValue(Parameter parameter, String valid, Random random) {
        int choice = random.nextInt(10);
        if (choice == 0) {
            // Escapes that do not decode: not UTF-8, a NUL, or a slash within one segment.
            return new Value(pick(List.of("%FF", "%C3%28", "%00", "a%2Fb", "%5C", "%E2%82"), random), true);
        }
        if (choice == 1) {
            return new Value(text(random, random.nextBoolean() ? PLAIN : NASTY, 10_000), false);
        }
        if (choice <= 3) {
            // Its number past every integer type (30s becomes 99999999999999999999s), or just past int.
            String huge = pick(List.of("99999999999999999999", "9223372036854775808", "2147483648"), random);
            String inflated = valid.matches(".*\\d.*") ? valid.replaceFirst("\\d+", huge) : valid + huge;
            return new Value(parameter.in().equals("path") ? segment(inflated) : inflated, false);
        }
        if (choice == 4) {
            return new Value(
                    random.nextBoolean()
                            ? "-" + valid
                            : valid + pick(List.of("h", ".5", " ", "x", "%", ",1", "\u0000"), random),
                    false);
        }
        List<String> values = new ArrayList<>(List.of(
                "abc",
                "1.5",
                "-1",
                "0",
                "99999999999999999999",
                "9223372036854775807",
                "-9223372036854775808",
                "true",
                "1e3",
                " 1",
                "0x10",
                "١٢",
                "00000000-0000-0000-0000-000000000000",
                "6F9619FF-8B86-D011-B42D-00C04FC964FF",
                "6f9619ff8b86d011b42d00c04fc964ff",
                "😀",
                "queued",
                "1h",
                "99999999999ms",
                "1.5s",
                "-5ms",
                "1 s",
                ":",
                ":v",
                "Zm9v",
                "AA",
                "!!",
                "a\u0000b",
                "\ud800"));
        if (parameter.in().equals("query")) {
            values.add("");
        }
        String value = pick(values, random);
        return new Value(parameter.in().equals("path") ? segment(value) : value, false);
    }

    /**
     * A path parameter's value, kept one segment of the operation's own path: an empty, {@code .} or
     * {@code ..} segment would make the request another path's (Tomcat merges and resolves them).
     */
    private static String segment(String value) {
        return value.isEmpty() || value.equals(".") || value.equals("..") ? "x" + value : value;
    }

    private static String badHeader(Random random) {
        return pick(List.of("", "has space", "k".repeat(256), "caf\u00e9", "\t"), random);
    }

    // ---- headers and callers ----

    private void headers(Draft draft, Mutation mutation) {
        Random random = draft.random;
        String natural = draft.operation.streams() ? EVENT_STREAM : JSON;
        String other = draft.operation.streams() ? JSON : EVENT_STREAM;
        // Mostly what an honest client sends, so that most requests reach the operation's own checks.
        int accept = random.nextInt(40);
        if (accept < 26) {
            draft.headers.put("Accept", natural);
        } else if (accept < 30) {
            draft.headers.put("Accept", "*/*");
        } else if (accept < 33) {
            draft.headers.put("Accept", "application/xml");
        } else if (accept < 36) {
            draft.headers.put("Accept", other);
        } // else no Accept at all
        boolean body = draft.body != null || draft.text != null;
        int type = random.nextInt(40);
        if (body ? type < 34 : type < 12) {
            draft.headers.put("Content-Type", random.nextInt(4) == 0 ? JSON + "; charset=UTF-8" : JSON);
        } else if (body ? type < 37 : type < 16) {
            draft.headers.put("Content-Type", "text/plain");
        }
        if (mutation != Mutation.BAD_PARAMETER && random.nextInt(7) == 0) {
            draft.headers.put(
                    "Idempotency-Key",
                    random.nextInt(3) > 0 ? pick(List.of("key-1", "key-2"), random) : badHeader(random));
        }
    }

    private Credential fitting(Draft draft) {
        Operation operation = draft.operation;
        if (operation.agentProtocol()) {
            String host = draft.task != null
                    ? draft.task.host()
                    : draft.parameters.containsKey("host")
                            ? draft.parameters.get("host").text()
                            : "fa";
            return host.equals("fb") ? Credential.AGENT_FB : Credential.AGENT_FA;
        }
        if (operation.method().equals("GET")) {
            return draft.random.nextBoolean() ? Credential.VIEWER : Credential.OPERATOR;
        }
        return Credential.OPERATOR;
    }

    // ---- the request being built ----

    /** A parameter's value; {@code encoded} when it goes into the URL as written. */
    record Value(String text, boolean encoded) {

        String inUrl(boolean path) {
            if (encoded) {
                return text;
            }
            String encodedText = URLEncoder.encode(text, StandardCharsets.UTF_8);
            return path ? encodedText.replace("+", "%20") : encodedText;
        }
    }

    private static final class Draft {
        final Operation operation;
        final Random random;
        final Map<String, Value> parameters = new LinkedHashMap<>();
        final Map<String, Value> repeated = new LinkedHashMap<>();
        final Map<String, String> headers = new LinkedHashMap<>();
        String method;

        @Nullable
        JsonText body;
        /** The body as text, when a mutation wrote it as text. */
        @Nullable
        String text;

        boolean chunked;
        Known.@Nullable Task task;

        @Nullable
        UUID namedJob;

        Draft(Operation operation, Random random) {
            this.operation = operation;
            this.random = random;
            this.method = operation.method();
        }

        JsonText bodyTree() {
            if (body == null) {
                body = new Obj(MissingNode.getInstance());
            }
            return body;
        }

        String bodyText() {
            return text != null ? text : body == null ? "" : body.write();
        }

        HostileRequest request(Mutation mutation, String change, Credential credential) {
            String path = operation.path();
            StringBuilder query = new StringBuilder();
            for (Parameter parameter : operation.parameters()) {
                Value value = parameters.get(parameter.name());
                if (value == null) {
                    continue;
                }
                if (parameter.in().equals("path")) {
                    path = path.replace("{" + parameter.name() + "}", value.inUrl(true));
                } else if (parameter.in().equals("query")) {
                    append(query, parameter.name(), value);
                    if (repeated.containsKey(parameter.name())) {
                        append(query, parameter.name(), repeated.get(parameter.name()));
                    }
                }
            }
            String target = query.isEmpty() ? path : path + "?" + query;
            String sent = body != null || text != null ? bodyText() : null;
            return new HostileRequest(
                    operation,
                    mutation,
                    change,
                    method,
                    target,
                    credential,
                    Map.copyOf(headers),
                    sent,
                    chunked,
                    namedJob);
        }

        private static void append(StringBuilder query, String name, Value value) {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(name).append('=').append(value.inUrl(false));
        }
    }

    /**
     * What the service holds that requests may name: jobs, and the tasks leased so far with their
     * epochs. Requests that succeed add to it.
     */
    static final class Known {
        /** The processes the test's jobs name. */
        static final List<Integer> PIDS = List.of(101, 102, 103);

        /**
         * A task as its lease named it.
         *
         * @param id the task
         * @param job its job
         * @param host its host
         * @param epoch the epoch of its latest lease
         * @param pids the processes the lease named
         */
        record Task(UUID id, UUID job, String host, long epoch, List<Integer> pids) {}

        private final List<UUID> jobs = new CopyOnWriteArrayList<>();
        private final Map<String, String> cursors = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<Task> tasks = new CopyOnWriteArrayList<>();
        private volatile @Nullable Task running;

        void job(UUID id) {
            if (!jobs.contains(id)) {
                jobs.add(id);
            }
        }

        /** A task just leased: the one requests name most. */
        void leased(Task task) {
            tasks.removeIf(t -> t.id().equals(task.id()));
            tasks.add(task);
            running = task;
            job(task.job());
        }

        /** A cursor a list operation gave out ({@code next}), for the same operation's {@code after}. */
        void cursor(String path, String cursor) {
            cursors.put(path, cursor);
        }

        Optional<String> cursor(String path) {
            return Optional.ofNullable(cursors.get(path));
        }

        Optional<Task> running() {
            return Optional.ofNullable(running);
        }

        Optional<UUID> anyJob(Random random) {
            return jobs.isEmpty() ? Optional.empty() : Optional.of(pick(jobs, random));
        }

        Optional<Task> anyTask(Random random) {
            return tasks.isEmpty() ? Optional.empty() : Optional.of(pick(tasks, random));
        }

        List<UUID> jobs() {
            return List.copyOf(jobs);
        }
    }

    // ---- small things ----

    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!t.asString().equals("null")) {
                    return t.asString();
                }
            }
        }
        if (type.isString()) {
            return type.asString();
        }
        return schema.has("properties") ? "object" : "unknown";
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private static String hostName(Random random) {
        return "h" + text(random, "abcdefghijklmnopqrstuvwxyz0123456789-", 1 + random.nextInt(8));
    }

    private static String garbage(Random random, int maxLength) {
        return text(random, NASTY, random.nextInt(maxLength + 1));
    }

    private static String text(Random random, String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    static <T> T pick(List<T> values, Random random) {
        return values.get(random.nextInt(values.size()));
    }

    private static String quoted(String text) {
        StringBuilder out = new StringBuilder();
        Str.quote(text, out);
        return out.toString();
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "… (" + text.length() + " characters)";
    }
}
