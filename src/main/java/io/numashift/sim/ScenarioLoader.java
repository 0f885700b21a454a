package io.numashift.sim;

import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PolicyMode;
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.FileSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.SharedObjectSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a scenario file (YAML, or JSON, which is YAML too) into host specs, following
 * docs/scenario.md. It checks the shape of the file: types, required fields,
 * unknown keys, ranges of single values and unique host names, and names the source, the host,
 * the process and the field of anything wrong. Rules that relate fields to each other (a page on
 * a node that exists, capacities, overlapping VMAs) are {@link SimulatedHost#create}'s.
 */
public final class ScenarioLoader {
    private static final int MAX_NODE_ID = 255;
    private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]+");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+");
    private static final Pattern PERMS = Pattern.compile("[r-][w-][x-]");
    private static final String ADDRESS = "an address (hex string like 0x400000 or a number)";

    private static final List<String> TOP_KEYS = List.of("hosts");
    private static final List<String> HOST_KEYS = List.of(
            "name",
            "pageSize",
            "pagesPerSecond",
            "costProfile",
            "nodes",
            "distances",
            "cpusets",
            "files",
            "sharedObjects",
            "processes");
    private static final List<String> COST_KEYS = List.of("microsPerPage");
    private static final List<String> NODE_KEYS = List.of("id", "capacityPages", "cpus", "removable");
    private static final List<String> CPUSET_KEYS = List.of("path", "mems", "cpus");
    private static final List<String> FILE_KEYS = List.of("path", "migrate", "fs");
    private static final List<String> SHARED_KEYS = List.of("name", "pages", "placement");
    private static final List<String> PROCESS_KEYS = List.of(
            "pid", "uid", "command", "cpuset", "cpu", "state", "policy", "allocatePagesPerStep", "vmas", "slurmJob");
    private static final List<String> VMA_KEYS =
            List.of("start", "pages", "perms", "file", "shared", "placement", "pinned", "policy");
    private static final List<String> POLICY_KEYS = List.of("mode", "nodes");

    private ScenarioLoader() {}

    /**
     * Parses a scenario into its hosts, in file order.
     *
     * @param yaml the scenario text
     * @param source what the text came from (a file name), the first word of every error message
     * @return one spec per host
     * @throws ScenarioException if the scenario is not valid YAML or breaks the format
     */
    public static List<HostSpec> parse(String yaml, String source) {
        return parse(new StringReader(yaml), source);
    }

    /**
     * Parses a scenario into its hosts, in file order; the reader is left open for its owner.
     *
     * @param reader the scenario text
     * @param source what the text came from (a file name), the first word of every error message
     * @return one spec per host
     * @throws ScenarioException if the scenario is not valid YAML or breaks the format
     */
    public static List<HostSpec> parse(Reader reader, String source) {
        Object document;
        try {
            document = yaml().load(reader);
        } catch (YAMLException e) {
            throw withCause(new ScenarioException(source + ": not valid YAML: " + e.getMessage()), e);
        }
        return hosts(document, new Where(source + ": ", ""));
    }

    /**
     * Parses a scenario and builds its simulated hosts, which checks the rules across fields.
     *
     * @param reader the scenario text, left open for its owner
     * @param source what the text came from (a file name), the first word of every error message
     * @return the hosts, in file order
     * @throws ScenarioException if the scenario breaks the format or a rule
     */
    public static SimulatedCluster load(Reader reader, String source) {
        List<SimulatedHost> hosts = new ArrayList<>();
        for (HostSpec spec : parse(reader, source)) {
            try {
                hosts.add(SimulatedHost.create(spec));
            } catch (ScenarioException e) {
                // The host knows its name but not the file it came from.
                throw withCause(new ScenarioException(source + ": " + e.getMessage()), e);
            }
        }
        return SimulatedCluster.of(hosts);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        // A key written twice is a typo whose second value would otherwise win silently.
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    private static List<HostSpec> hosts(@Nullable Object document, Where top) {
        if (document == null) {
            throw top.error("the scenario is empty; expected a map with a list of hosts");
        }
        Fields fields = Fields.of(document, top, TOP_KEYS);
        List<?> items = nonEmptyList(fields.require("hosts"), fields.at("hosts"));
        List<HostSpec> hosts = new ArrayList<>();
        Map<String, Integer> indexByName = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Where item = top.field("hosts").index(i);
            Map<?, ?> map = map(items.get(i), item);
            // Once the name is known, every message says "host n001" rather than "hosts[3]".
            Where host = map.get("name") instanceof String name && !name.isBlank()
                    ? top.enter("host " + name)
                    : top.enter(item.path());
            HostSpec spec = host(new Fields(map, host, HOST_KEYS));
            Integer earlier = indexByName.putIfAbsent(spec.name(), i);
            if (earlier != null) {
                throw host.field("name")
                        .error("hosts[" + earlier + "] and hosts[" + i + "] have the same name; names must be unique");
            }
            hosts.add(spec);
        }
        return List.copyOf(hosts);
    }

    private static HostSpec host(Fields host) {
        String name = string(host.require("name"), host.at("name"));
        int pageSize = (int)
                integer(host.get("pageSize"), host.at("pageSize"), HostSpec.DEFAULT_PAGE_SIZE, 1, Integer.MAX_VALUE);
        if (Integer.bitCount(pageSize) != 1) {
            throw host.at("pageSize").error("must be a power of two, got " + pageSize);
        }
        double pagesPerSecond = number(host.get("pagesPerSecond"), host.at("pagesPerSecond"), 0);
        double microsPerPage = HostSpec.DEFAULT_MICROS_PER_PAGE;
        Object cost = host.get("costProfile");
        if (cost != null) {
            Fields costProfile = Fields.of(cost, host.at("costProfile"), COST_KEYS);
            microsPerPage = number(costProfile.get("microsPerPage"), costProfile.at("microsPerPage"), microsPerPage);
        }
        List<NodeSpec> nodes = new ArrayList<>();
        List<?> nodeItems = nonEmptyList(host.require("nodes"), host.at("nodes"));
        for (int i = 0; i < nodeItems.size(); i++) {
            nodes.add(node(Fields.of(nodeItems.get(i), host.at("nodes").index(i), NODE_KEYS)));
        }
        List<List<Integer>> distances = distances(host.get("distances"), host.at("distances"), nodes.size());
        List<CpusetSpec> cpusets = host.list("cpusets", CPUSET_KEYS, ScenarioLoader::cpuset);
        List<FileSpec> files = host.list("files", FILE_KEYS, ScenarioLoader::file);
        List<SharedObjectSpec> sharedObjects = host.list("sharedObjects", SHARED_KEYS, ScenarioLoader::sharedObject);
        List<ProcessSpec> processes = new ArrayList<>();
        List<?> processItems = list(host.get("processes"), host.at("processes"));
        for (int i = 0; i < processItems.size(); i++) {
            Where item = host.at("processes").index(i);
            Map<?, ?> map = map(processItems.get(i), item);
            // As with hosts: "process 4242" once the pid is readable, "processes[3]" until then.
            Where process = map.get("pid") instanceof Integer pid && pid > 0
                    ? host.where().enter("process " + pid)
                    : host.where().enter(item.path());
            processes.add(process(new Fields(map, process, PROCESS_KEYS)));
        }
        return new HostSpec(
                name,
                pageSize,
                pagesPerSecond,
                microsPerPage,
                nodes,
                distances,
                cpusets,
                files,
                sharedObjects,
                processes);
    }

    private static NodeSpec node(Fields node) {
        int id = (int) integer(node.require("id"), node.at("id"), 0, 0, MAX_NODE_ID);
        long capacity = integer(node.require("capacityPages"), node.at("capacityPages"), 0, 0, Long.MAX_VALUE);
        Object removable = node.get("removable");
        return new NodeSpec(
                id,
                capacity,
                ids(node.get("cpus"), node.at("cpus")),
                removable != null && flag(removable, node.at("removable")));
    }

    private static @Nullable List<List<Integer>> distances(@Nullable Object value, Where where, int nodes) {
        if (value == null) {
            return null;
        }
        List<?> rows = list(value, where);
        if (rows.size() != nodes) {
            throw where.error("expected " + nodes + " rows, one per node, got " + rows.size());
        }
        List<List<Integer>> matrix = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Where rowAt = where.index(i);
            List<?> row = list(rows.get(i), rowAt);
            if (row.size() != nodes) {
                throw rowAt.error("expected " + nodes + " entries, one per node, got " + row.size());
            }
            List<Integer> distancesFromNode = new ArrayList<>();
            for (int j = 0; j < row.size(); j++) {
                distancesFromNode.add((int) integer(row.get(j), rowAt.index(j), 0, 1, Integer.MAX_VALUE));
            }
            matrix.add(distancesFromNode);
        }
        return matrix;
    }

    private static CpusetSpec cpuset(Fields cpuset) {
        return new CpusetSpec(
                string(cpuset.require("path"), cpuset.at("path")),
                ids(cpuset.get("mems"), cpuset.at("mems")),
                ids(cpuset.get("cpus"), cpuset.at("cpus")));
    }

    private static FileSpec file(Fields file) {
        String path = string(file.require("path"), file.at("path"));
        Object migrate = file.get("migrate");
        String attribute = migrate == null ? null : oneOf(migrate, file.at("migrate"), "none", "lib");
        Object fs = file.get("fs");
        boolean nfs = fs != null && oneOf(fs, file.at("fs"), "local", "nfs").equals("nfs");
        return new FileSpec(path, attribute, nfs);
    }

    private static SharedObjectSpec sharedObject(Fields object) {
        return new SharedObjectSpec(
                string(object.require("name"), object.at("name")),
                integer(object.require("pages"), object.at("pages"), 0, 1, Long.MAX_VALUE),
                placement(object.get("placement"), object.at("placement")));
    }

    private static ProcessSpec process(Fields process) {
        int pid = (int) integer(process.require("pid"), process.at("pid"), 0, 1, Integer.MAX_VALUE);
        int uid = (int) integer(process.get("uid"), process.at("uid"), 0, 0, Integer.MAX_VALUE);
        Object commandValue = process.get("command");
        String command = commandValue == null ? "" : string(commandValue, process.at("command"));
        Object cpusetValue = process.get("cpuset");
        String cpuset = cpusetValue == null ? null : string(cpusetValue, process.at("cpuset"));
        int cpu = (int) integer(process.get("cpu"), process.at("cpu"), 0, 0, Integer.MAX_VALUE);
        Object state = process.get("state");
        boolean stopped = state != null
                && oneOf(state, process.at("state"), "running", "stopped").equals("stopped");
        Object policyValue = process.get("policy");
        MemoryPolicy policy = policyValue == null ? MemoryPolicy.DEFAULT : policy(policyValue, process.at("policy"));
        long allocate =
                integer(process.get("allocatePagesPerStep"), process.at("allocatePagesPerStep"), 0, 0, Long.MAX_VALUE);
        List<VmaSpec> vmas = process.list("vmas", VMA_KEYS, ScenarioLoader::vma);
        Object slurmJobValue = process.get("slurmJob");
        String slurmJob = slurmJobValue == null ? null : slurmJob(slurmJobValue, process.at("slurmJob"));
        return new ProcessSpec(pid, uid, command, cpuset, cpu, stopped, policy, allocate, vmas, slurmJob);
    }

    private static VmaSpec vma(Fields vma) {
        long start = address(vma.require("start"), vma.at("start"));
        long pages = integer(vma.require("pages"), vma.at("pages"), 0, 1, Long.MAX_VALUE);
        String perms = string(vma.require("perms"), vma.at("perms"));
        if (!PERMS.matcher(perms).matches()) {
            throw vma.at("perms").error("expected three characters like rw- or r-x, got " + describe(perms));
        }
        Object fileValue = vma.get("file");
        String file = fileValue == null ? null : string(fileValue, vma.at("file"));
        Object sharedValue = vma.get("shared");
        String shared = sharedValue == null ? null : string(sharedValue, vma.at("shared"));
        Map<Integer, Long> placement = placement(vma.get("placement"), vma.at("placement"));
        long pinned = integer(vma.get("pinned"), vma.at("pinned"), 0, 0, Long.MAX_VALUE);
        Object policyValue = vma.get("policy");
        MemoryPolicy policy = policyValue == null ? null : policy(policyValue, vma.at("policy"));
        return new VmaSpec(start, pages, perms, file, shared, placement, pinned, policy);
    }

    private static MemoryPolicy policy(Object value, Where where) {
        Fields policy = Fields.of(value, where, POLICY_KEYS);
        String[] modes =
                Arrays.stream(PolicyMode.values()).map(PolicyMode::name).toArray(String[]::new);
        PolicyMode mode = PolicyMode.valueOf(oneOf(policy.require("mode"), policy.at("mode"), modes));
        List<Integer> nodes = ids(policy.get("nodes"), policy.at("nodes"));
        try {
            return new MemoryPolicy(mode, nodes);
        } catch (IllegalArgumentException e) {
            throw withCause(where.error(e.getMessage()), e);
        }
    }

    private static Map<Integer, Long> placement(@Nullable Object value, Where where) {
        if (value == null) {
            return Map.of();
        }
        Map<?, ?> map = map(value, where);
        Map<Integer, Long> placement = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            int node = nodeKey(entry.getKey(), where);
            Where pagesAt = where.field(String.valueOf(node));
            long pages = integer(entry.getValue(), pagesAt, 0, 0, Long.MAX_VALUE);
            // 0 and "0" are different YAML keys but the same node.
            if (placement.put(node, pages) != null) {
                throw where.error("node " + node + " appears twice");
            }
        }
        return placement;
    }

    private static int nodeKey(@Nullable Object key, Where where) {
        String text = key instanceof String s ? s.strip() : null;
        if (key instanceof Integer id && id >= 0) {
            return id;
        }
        if (text != null && DECIMAL.matcher(text).matches() && text.length() < 10) {
            return Integer.parseInt(text);
        }
        throw where.error("expected node ids as keys (like {0: 600, 1: 300}), got " + describe(key));
    }

    /** A list of node or CPU ids; absent means empty. */
    private static List<Integer> ids(@Nullable Object value, Where where) {
        List<?> items = list(value, where);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ids.add((int) integer(items.get(i), where.index(i), 0, 0, Integer.MAX_VALUE));
        }
        return ids;
    }

    private static long address(Object value, Where where) {
        long address;
        if (value instanceof String text) {
            String trimmed = text.strip();
            try {
                if (HEX.matcher(trimmed).matches()) {
                    address = Long.parseLong(trimmed.substring(2), 16);
                } else if (DECIMAL.matcher(trimmed).matches()) {
                    address = Long.parseLong(trimmed);
                } else {
                    throw where.error("expected " + ADDRESS + ", got " + describe(value));
                }
            } catch (NumberFormatException e) {
                throw where.error("expected an address below 2^63, got " + describe(value));
            }
        } else if (isInteger(value)) {
            address = exactLong(value, where);
        } else {
            throw where.error("expected " + ADDRESS + ", got " + describe(value));
        }
        if (address < 0) {
            throw where.error("must not be negative, got " + value);
        }
        return address;
    }

    /** An integer in {@code [min, max]}, or the fallback when absent. */
    private static long integer(@Nullable Object value, Where where, long fallback, long min, long max) {
        if (value == null) {
            return fallback;
        }
        if (!isInteger(value)) {
            throw where.error("expected an integer, got " + describe(value));
        }
        long n = exactLong(value, where);
        if (n < min) {
            throw where.error(
                    (min == 0 ? "must not be negative" : min == 1 ? "must be positive" : "must be at least " + min)
                            + ", got " + n);
        }
        if (n > max) {
            throw where.error("must be at most " + max + ", got " + n);
        }
        return n;
    }

    private static boolean isInteger(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }

    private static long exactLong(Object value, Where where) {
        if (value instanceof BigInteger big) {
            if (big.bitLength() >= Long.SIZE) {
                throw where.error("does not fit in 64 bits: " + big);
            }
            return big.longValue();
        }
        return ((Number) value).longValue();
    }

    /** A finite, non-negative number (integer or not), or the fallback when absent. */
    private static double number(@Nullable Object value, Where where, double fallback) {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw where.error("expected a number, got " + describe(value));
        }
        double n = number.doubleValue();
        if (n < 0) {
            throw where.error("must not be negative, got " + value);
        }
        return n;
    }

    /** A Slurm job id: {@code 42} (as a number or a string), or {@code "42_7"} for an array task. */
    private static String slurmJob(Object value, Where where) {
        String text = value instanceof Number n ? n.toString() : value instanceof String s ? s.strip() : "";
        if (!text.matches("[0-9]{1,18}(_[0-9]{1,9})?")) {
            throw where.error("expected a Slurm job id such as 42 or \"42_7\", got " + describe(value));
        }
        return text;
    }

    private static String string(Object value, Where where) {
        if (!(value instanceof String text) || text.isBlank()) {
            throw where.error("expected a non-empty string, got " + describe(value));
        }
        return text;
    }

    private static boolean flag(Object value, Where where) {
        if (value instanceof Boolean bool) {
            return bool;
        }
        throw where.error("expected true or false, got " + describe(value));
    }

    private static String oneOf(Object value, Where where, String... allowed) {
        for (String word : allowed) {
            if (word.equals(value)) {
                return word;
            }
        }
        throw where.error("expected one of " + String.join(", ", allowed) + ", got " + describe(value));
    }

    private static Map<?, ?> map(@Nullable Object value, Where where) {
        if (!(value instanceof Map<?, ?> map)) {
            throw where.error("expected a map, got " + describe(value));
        }
        return map;
    }

    /** A list; absent means empty. */
    private static List<?> list(@Nullable Object value, Where where) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw where.error("expected a list, got " + describe(value));
        }
        return list;
    }

    private static List<?> nonEmptyList(Object value, Where where) {
        List<?> list = list(value, where);
        if (list.isEmpty()) {
            throw where.error("expected at least one entry, got an empty list");
        }
        return list;
    }

    private static String describe(@Nullable Object value) {
        return switch (value) {
            case null -> "nothing";
            case String text -> '"' + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + '"';
            case Number number -> number.toString();
            case Boolean bool -> bool.toString();
            case Map<?, ?> _ -> "a map";
            case List<?> _ -> "a list";
            default -> "a " + value.getClass().getSimpleName();
        };
    }

    private static ScenarioException withCause(ScenarioException error, Throwable cause) {
        error.initCause(cause);
        return error;
    }

    /**
     * Where a value sits, for messages: a context that names the source, host and process
     * ({@code "demo.yaml: host n001: process 4242: "}) and a field path within it
     * ({@code "vmas[2].start"}).
     */
    private record Where(String context, String path) {
        Where field(String name) {
            return new Where(context, path.isEmpty() ? name : path + "." + name);
        }

        Where index(int i) {
            return new Where(context, path + "[" + i + "]");
        }

        /** Moves into a host or process: its label joins the context and paths restart from it. */
        Where enter(String label) {
            return new Where(context + label + ": ", "");
        }

        ScenarioException error(String detail) {
            return new ScenarioException(context + (path.isEmpty() ? "" : path + ": ") + detail);
        }
    }

    /** The entries of one YAML map, checked against the keys the format allows there. */
    private static final class Fields {
        private final Map<?, ?> map;
        private final Where where;

        Fields(Map<?, ?> map, Where where, List<String> known) {
            this.map = map;
            this.where = where;
            for (Object key : map.keySet()) {
                if (!(key instanceof String name) || !known.contains(name)) {
                    throw where.field(String.valueOf(key))
                            .error("unknown key; expected one of " + String.join(", ", known));
                }
            }
        }

        static Fields of(@Nullable Object value, Where where, List<String> known) {
            return new Fields(map(value, where), where, known);
        }

        Where where() {
            return where;
        }

        Where at(String key) {
            return where.field(key);
        }

        /** The value of a key; an explicit null ({@code key: ~}) counts as absent. */
        @Nullable
        Object get(String key) {
            return map.get(key);
        }

        Object require(String key) {
            Object value = map.get(key);
            if (value == null) {
                throw at(key).error("required");
            }
            return value;
        }

        /** A list of maps under a key, each read by {@code read}; absent means empty. */
        <T> List<T> list(String key, List<String> known, Function<Fields, T> read) {
            List<?> items = ScenarioLoader.list(map.get(key), at(key));
            List<T> result = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                result.add(read.apply(Fields.of(items.get(i), at(key).index(i), known)));
            }
            return result;
        }
    }
}
