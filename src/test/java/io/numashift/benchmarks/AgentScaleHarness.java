package io.numashift.benchmarks;

import io.numashift.core.JobScope;
import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationRequest;
import io.numashift.protocol.HostTopology;
import io.numashift.protocol.Lease;
import io.numashift.protocol.ProcessReport;
import io.numashift.protocol.Registration;
import io.numashift.protocol.Result;
import io.numashift.security.Tokens;
import io.numashift.sim.HostSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import io.numashift.sim.SimulatedHost;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How many agents one service instance holds in long-poll, and how long a 1,000-host job of small
 * migrations takes from submit to its end. It starts the service as a process of its own (embedded
 * agents off, a fresh data dir, H2 or a fresh PostgreSQL schema, generated tokens), then runs
 * simulated agents in this JVM, each on a virtual thread with a small {@link SimulatedHost}:
 * register, lease with {@code wait=30s}, run the real {@link MigrationEngine} on a leased task and
 * report its result, as {@code Agent} does. Agents are added level by level; at each level it holds
 * them parked for a while and measures in-flight long polls (here and as the service counts them),
 * errors, how late empty leases come back, the service's RSS and CPU, and the time from a submit
 * to the lease answer of a parked host. Then it submits jobs for the first {@code --job-hosts}
 * hosts and times each until it is terminal, checking that every task SUCCEEDED.
 *
 * <pre>
 * java -cp ... io.numashift.benchmarks.AgentScaleHarness --agents 1000,2000,5000 --job-hosts 1000 --job-runs 5
 * </pre>
 *
 * Everything goes to 127.0.0.1; every loop is bounded in count and time, and the service process is
 * stopped at the end, also on failure or Ctrl-C.
 */
public final class AgentScaleHarness {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration LEASE_WAIT = Duration.ofSeconds(30);
    private static final int PID = 100;
    private static final long PAGES = 256;
    private static final long CLOCK_TICKS = 100;

    private final Options options;
    private final Service service;
    private final URI base;
    private final String operator;
    private final String agentToken;
    private final List<HttpClient> clients = new ArrayList<>();
    private final HttpClient control;
    private final List<FakeAgent> agents = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> emptyLeaseLateness = new ConcurrentLinkedQueue<>();
    private final Map<String, CompletableFuture<Long>> wakeProbes = new ConcurrentHashMap<>();
    private final LongAdder leases = new LongAdder();
    private final LongAdder resultsAccepted = new LongAdder();
    private volatile @Nullable JobRun currentRun;
    private volatile boolean running = true;

    private AgentScaleHarness(Options options, Service service, String operator, String agentToken) {
        this.options = options;
        this.service = service;
        this.base = URI.create("http://127.0.0.1:" + options.port());
        this.operator = operator;
        this.agentToken = agentToken;
        for (int i = 0; i < options.clients(); i++) {
            clients.add(newClient());
        }
        this.control = newClient();
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        String operator = secret();
        String agentToken = secret();
        int maxAgents = options.levels().getLast();
        Service service = Service.start(options, operator, agentToken, maxAgents);
        Runtime.getRuntime().addShutdownHook(new Thread(service::stop));
        var harness = new AgentScaleHarness(options, service, operator, agentToken);
        try {
            harness.run();
        } finally {
            harness.running = false;
            service.stop();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        printHeader();
        List<LevelResult> levels = new ArrayList<>();
        for (int level : options.levels()) {
            LevelResult result = level(level);
            levels.add(result);
            printLevel(result);
            if (result.parkedMin() < level * 0.9) {
                System.out.println("fewer than 90 % of the agents parked: not ramping further");
                break;
            }
        }
        List<RunResult> runs = new ArrayList<>();
        int jobHosts = Math.min(options.jobHosts(), agents.size());
        for (int r = 0; r < options.jobRuns() && jobHosts > 0; r++) {
            RunResult run = jobRun(r, jobHosts);
            runs.add(run);
            System.out.println(run.row());
        }
        printSummary(levels, runs);
    }

    // ---- levels of parked agents ----

    private LevelResult level(int target) throws Exception {
        ServiceSample before = service.sample();
        long t0 = System.nanoTime();
        Semaphore registering = new Semaphore(options.registerConcurrency());
        List<FakeAgent> added = new ArrayList<>();
        for (int i = agents.size(); i < target; i++) {
            FakeAgent agent = new FakeAgent(hostName(i), clients.get(i % clients.size()), registering);
            agents.add(agent);
            added.add(agent);
            Thread.ofVirtual().name("agent-" + agent.host).start(agent);
        }
        for (FakeAgent agent : added) {
            agent.registered.get(5, TimeUnit.MINUTES);
        }
        double registerSeconds = (System.nanoTime() - t0) / 1e9;
        long parkDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (inFlight.get() < target && System.nanoTime() < parkDeadline) {
            Thread.sleep(100);
        }
        Map<String, Long> errorsBefore = snapshot(errors);
        emptyLeaseLateness.clear();
        ServiceSample start = service.sample();
        long harnessCpuStart = harnessCpuNanos();
        long holdEnd = System.nanoTime() + options.hold().toNanos();
        int parkedMin = Integer.MAX_VALUE;
        int parkedMax = 0;
        List<Long> wakeups = new ArrayList<>();
        int probesLeft = options.probes();
        long probeEvery = options.hold().toNanos() / (options.probes() + 1);
        long nextProbe = System.nanoTime() + probeEvery;
        while (System.nanoTime() < holdEnd) {
            int now = inFlight.get();
            parkedMin = Math.min(parkedMin, now);
            parkedMax = Math.max(parkedMax, now);
            if (probesLeft > 0 && System.nanoTime() >= nextProbe) {
                probesLeft--;
                nextProbe += probeEvery;
                wakeup().ifPresent(wakeups::add);
            } else {
                Thread.sleep(200);
            }
        }
        ServiceSample end = service.sample();
        long harnessCpu = harnessCpuNanos() - harnessCpuStart;
        Metrics metrics = metrics("level-" + target);
        // The heap that the parked requests keep alive: after a full collection, outside the CPU window.
        service.collectGarbage();
        long liveHeap = metrics("level-" + target + "-after-gc").heapUsedBytes();
        Map<String, Long> errorsDuring = difference(snapshot(errors), errorsBefore);
        List<Long> late = new ArrayList<>(emptyLeaseLateness);
        Collections.sort(late);
        Collections.sort(wakeups);
        double wall = (end.nanos() - start.nanos()) / 1e9;
        return new LevelResult(
                target,
                registerSeconds,
                parkedMin,
                parkedMax,
                metrics.activeLeases(),
                metrics.tomcatConnections(),
                end.fds(),
                errorsDuring,
                late,
                wakeups,
                end.rssKiB(),
                metrics.heapUsedBytes(),
                liveHeap,
                100.0 * (end.cpuTicks() - start.cpuTicks()) / CLOCK_TICKS / wall,
                100.0 * (end.cpuTicks() - before.cpuTicks()) / CLOCK_TICKS / ((end.nanos() - before.nanos()) / 1e9),
                100.0 * harnessCpu / 1e9 / wall,
                100.0
                        * (1
                                - (end.machineIdle() - start.machineIdle())
                                        / (double) (end.machineAll() - start.machineAll())),
                loadAverage());
    }

    /** Submits a dry-run job for a parked host and times submit until that host's lease answer. */
    private Optional<Long> wakeup() throws Exception {
        List<FakeAgent> parked =
                agents.stream().filter(a -> a.parked && !a.busy).toList();
        if (parked.isEmpty()) {
            return Optional.empty();
        }
        FakeAgent agent = parked.get(ThreadLocalRandom.current().nextInt(parked.size()));
        CompletableFuture<Long> leased = new CompletableFuture<>();
        wakeProbes.put(agent.host, leased);
        long t0 = System.nanoTime();
        String body = "{\"name\": \"wake-up probe\", \"targets\": [{\"hosts\": [\"" + agent.host + "\"], \"pids\": ["
                + PID + "]}], \"oldNodes\": [0], \"newNodes\": [1], \"options\": {\"dryRun\": true}}";
        HttpResponse<String> response = send(control, "/api/v1/jobs", operator, body, Duration.ofSeconds(30));
        if (response.statusCode() != 201) {
            wakeProbes.remove(agent.host);
            count("probe submit HTTP " + response.statusCode());
            return Optional.empty();
        }
        try {
            return Optional.of(leased.get(30, TimeUnit.SECONDS) - t0);
        } catch (TimeoutException e) {
            wakeProbes.remove(agent.host);
            count("probe: no lease within 30 s");
            return Optional.empty();
        }
    }

    // ---- the 1,000-host job ----

    private RunResult jobRun(int index, int hosts) throws Exception {
        int from = index % 2;
        int to = 1 - from;
        String hostList = IntStream.range(0, hosts)
                .mapToObj(i -> "\"" + hostName(i) + "\"")
                .collect(Collectors.joining(", "));
        String body = "{\"name\": \"scale run " + index + "\", \"targets\": [{\"hosts\": [" + hostList
                + "], \"pids\": [" + PID + "]}], \"oldNodes\": [" + from + "], \"newNodes\": [" + to + "]}";
        Map<String, Long> errorsBefore = snapshot(errors);
        ServiceSample start = service.sample();
        JobRun run = new JobRun();
        currentRun = run;
        long t0 = System.nanoTime();
        HttpResponse<String> submitted = send(control, "/api/v1/jobs", operator, body, Duration.ofSeconds(120));
        long submitNanos = System.nanoTime() - t0;
        if (submitted.statusCode() != 201) {
            throw new IllegalStateException("submit: HTTP " + submitted.statusCode() + " " + submitted.body());
        }
        JsonNode job = JSON.readTree(submitted.body());
        String id = job.get("id").asString();
        long version = job.get("version").asLong();
        int reads = 0;
        long deadline = t0 + options.jobTimeout().toNanos();
        String state = job.get("state").asString();
        while (!terminal(state) && System.nanoTime() < deadline) {
            long readAt = System.nanoTime();
            HttpResponse<String> read = get(
                    control,
                    "/api/v1/jobs/" + id + "?index=" + version + "&wait=30s",
                    operator,
                    Duration.ofSeconds(60));
            reads++;
            if (read.statusCode() != 200) {
                count("job read HTTP " + read.statusCode());
                continue;
            }
            job = JSON.readTree(read.body());
            version = job.get("version").asLong();
            state = job.get("state").asString();
            long pause = options.readPace().toNanos() - (System.nanoTime() - readAt);
            if (!terminal(state) && pause > 0) {
                TimeUnit.NANOSECONDS.sleep(pause);
            }
        }
        long terminalNanos = System.nanoTime() - t0;
        currentRun = null;
        ServiceSample end = service.sample();
        int succeeded = 0;
        for (JsonNode task : job.get("tasks")) {
            String taskState = task.get("state").asString();
            boolean movedAll = true;
            for (JsonNode process : task.get("processes")) {
                movedAll &= process.get("status").asString().equals("SUCCEEDED")
                        && process.get("pagesMoved").asLong() == PAGES;
            }
            if (taskState.equals("SUCCEEDED")
                    && movedAll
                    && task.get("processes").size() == 1) {
                succeeded++;
            }
        }
        double wall = (end.nanos() - start.nanos()) / 1e9;
        return new RunResult(
                index,
                hosts,
                state,
                succeeded,
                submitNanos,
                run.firstLease.get() - t0,
                run.lastLease.get() - t0,
                run.lastResult.get() - t0,
                terminalNanos,
                reads,
                difference(snapshot(errors), errorsBefore),
                end.rssKiB(),
                100.0 * (end.cpuTicks() - start.cpuTicks()) / CLOCK_TICKS / wall);
    }

    private static boolean terminal(String state) {
        return switch (state) {
            case "SUCCEEDED", "PARTIALLY_FAILED", "FAILED", "CANCELLED" -> true;
            default -> false;
        };
    }

    /** Times of one job run, as the agents saw them. */
    private static final class JobRun {
        final AtomicLong firstLease = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong lastLease = new AtomicLong();
        final AtomicLong lastResult = new AtomicLong();
    }

    // ---- the simulated agents ----

    /** One host's agent: registers, then leases and runs tasks until the harness ends. */
    private final class FakeAgent implements Runnable {
        final String host;
        final HttpClient http;
        final Semaphore registering;
        final SimulatedHost simulated;
        final CompletableFuture<Void> registered = new CompletableFuture<>();
        volatile boolean parked;
        volatile boolean busy;

        FakeAgent(String host, HttpClient http, Semaphore registering) {
            this.host = host;
            this.http = http;
            this.registering = registering;
            this.simulated = SimulatedHost.create(HostSpec.of(
                            host,
                            List.of(new NodeSpec(0, 4 * PAGES, List.of(0)), new NodeSpec(1, 4 * PAGES, List.of(1))))
                    .withProcesses(List.of(
                            ProcessSpec.of(PID, List.of(VmaSpec.anon(0x10000000L, PAGES, Map.of(0, PAGES)))))));
        }

        @Override
        public void run() {
            try {
                register();
                while (running) {
                    lease();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                count("agent died: " + e);
                registered.completeExceptionally(e);
            }
        }

        private void register() throws InterruptedException {
            var registration = new Registration("simulated", "scale", 4096, HostTopology.of(simulated.topology()));
            byte[] body = JSON.writeValueAsBytes(registration);
            Duration backoff = Duration.ofMillis(200);
            while (running) {
                registering.acquire();
                try {
                    HttpResponse<String> response = send(
                            http, "/api/v1/agents/" + host + "/register", agentToken, body, Duration.ofSeconds(60));
                    if (response.statusCode() == 200) {
                        registered.complete(null);
                        return;
                    }
                    count("register HTTP " + response.statusCode());
                } catch (IOException e) {
                    count("register " + e.getClass().getSimpleName());
                } finally {
                    registering.release();
                }
                Thread.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }

        private void lease() throws InterruptedException {
            long t0 = System.nanoTime();
            HttpResponse<String> response;
            parked = true;
            inFlight.incrementAndGet();
            try {
                response = send(
                        http,
                        "/api/v1/agents/" + host + "/lease?wait=" + LEASE_WAIT.toSeconds() + "s",
                        agentToken,
                        new byte[0],
                        LEASE_WAIT.plusSeconds(30));
            } catch (IOException e) {
                count("lease " + e.getClass().getSimpleName());
                Thread.sleep(1000);
                return;
            } finally {
                inFlight.decrementAndGet();
                parked = false;
            }
            long at = System.nanoTime();
            switch (response.statusCode()) {
                case 204 -> emptyLeaseLateness.add(at - t0 - LEASE_WAIT.toNanos());
                case 200 -> execute(JSON.readValue(response.body(), Lease.class), at);
                default -> {
                    count("lease HTTP " + response.statusCode());
                    Thread.sleep(1000);
                }
            }
        }

        /** Runs the leased task on the simulated host with the real engine, as {@code Agent} does. */
        private void execute(Lease lease, long leasedAt) throws InterruptedException {
            busy = true;
            try {
                leases.increment();
                CompletableFuture<Long> probe = wakeProbes.remove(host);
                if (probe != null) {
                    probe.complete(leasedAt);
                }
                JobRun run = currentRun;
                if (run != null) {
                    run.firstLease.accumulateAndGet(leasedAt, Math::min);
                    run.lastLease.accumulateAndGet(leasedAt, Math::max);
                }
                MigrationRequest template = MigrationRequest.of(0, lease.plan());
                TreeSet<Integer> pids = new TreeSet<>(lease.targets().pids());
                MigrationEngine engine = new MigrationEngine(simulated);
                JobScope scope = new JobScope(pids);
                List<ProcessReport> results = new ArrayList<>();
                for (int pid : pids) {
                    results.add(ProcessReport.of(engine.migrate(template.withPid(pid), scope, MigrationMonitor.NONE)));
                }
                report(lease, new Result(lease.epoch(), results, null, null));
                if (run != null) {
                    run.lastResult.accumulateAndGet(System.nanoTime(), Math::max);
                }
            } finally {
                busy = false;
            }
        }

        private void report(Lease lease, Result result) throws InterruptedException {
            byte[] body = JSON.writeValueAsBytes(result);
            for (int attempt = 0; attempt < 10 && running; attempt++) {
                try {
                    HttpResponse<String> response = send(
                            http,
                            "/api/v1/tasks/" + lease.taskId() + "/result",
                            agentToken,
                            body,
                            Duration.ofSeconds(60));
                    if (response.statusCode() == 200) {
                        resultsAccepted.increment();
                        return;
                    }
                    count("result HTTP " + response.statusCode());
                    if (response.statusCode() == 409 || response.statusCode() == 404) {
                        return;
                    }
                } catch (IOException e) {
                    count("result " + e.getClass().getSimpleName());
                }
                Thread.sleep(200L << Math.min(attempt, 5));
            }
        }
    }

    // ---- HTTP ----

    private HttpResponse<String> send(HttpClient http, String path, String token, String body, Duration timeout)
            throws IOException, InterruptedException {
        return send(http, path, token, body.getBytes(StandardCharsets.UTF_8), timeout);
    }

    private HttpResponse<String> send(HttpClient http, String path, String token, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(HttpClient http, String path, String token, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void count(String error) {
        errors.computeIfAbsent(error, e -> new LongAdder()).increment();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((key, value) -> copy.put(key, value.sum()));
        return copy;
    }

    private static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> result = new TreeMap<>();
        after.forEach((key, value) -> {
            long d = value - before.getOrDefault(key, 0L);
            if (d != 0) {
                result.put(key, d);
            }
        });
        return result;
    }

    /** What the service counts itself: its in-flight lease requests, Tomcat's connections, its heap. */
    private record Metrics(long activeLeases, long tomcatConnections, long heapUsedBytes) {}

    /** Scrapes the service's metrics, and keeps the scrape beside its log as {@code <name>.prom}. */
    private Metrics metrics(String name) {
        try {
            HttpResponse<String> response = get(control, "/actuator/prometheus", operator, Duration.ofSeconds(30));
            Files.writeString(service.log().resolveSibling(name + ".prom"), response.body());
            long active = -1;
            long connections = -1;
            long heap = 0;
            for (String line : response.body().split("\n")) {
                // Active requests are tagged before their URI pattern is known: count the POSTs in
                // flight, which are the parked leases but for the odd submit or result.
                if (line.startsWith("http_server_requests_active_seconds_count{") && line.contains("method=\"POST\"")) {
                    active = Math.max(active, 0) + (long) value(line);
                } else if (line.startsWith("tomcat_connections_current")) {
                    connections = (long) value(line);
                } else if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    heap += (long) value(line);
                }
            }
            return new Metrics(active, connections, heap);
        } catch (IOException | InterruptedException e) {
            count("metrics " + e.getClass().getSimpleName());
            return new Metrics(-1, -1, -1);
        }
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static long harnessCpuNanos() {
        return ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .map(Duration::toNanos)
                .orElse(0L);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String hostName(int i) {
        return String.format("s%05d", i + 1);
    }

    private static String secret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "scale_" + HexFormat.of().formatHex(bytes);
    }

    // ---- reports ----

    private void printHeader() {
        System.out.printf(
                "service pid %d on :%d (%s), heap %s, log %s%n",
                service.pid(), options.port(), options.database(), options.serviceHeap(), service.log());
        System.out.printf(
                "levels %s, hold %d s, %d wake-up probes per level, %d HTTP clients, then %d runs of a %d-host job%n",
                options.levels(),
                options.hold().toSeconds(),
                options.probes(),
                options.clients(),
                options.jobRuns(),
                options.jobHosts());
    }

    private static void printLevel(LevelResult r) {
        System.out.println(r.row());
    }

    private void printSummary(List<LevelResult> levels, List<RunResult> runs) {
        System.out.println();
        System.out.println("| agents | registered in | parked (min–max, harness) | POSTs in flight (service) "
                + "| Tomcat connections | service fds | errors | empty lease late p50 / p99 / max "
                + "| wake-up p50 / p99 / max | service RSS | heap used; live after GC | service CPU (hold; whole level) "
                + "| harness CPU | machine busy | load |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (LevelResult r : levels) {
            System.out.println(r.row());
        }
        if (!runs.isEmpty()) {
            System.out.println();
            System.out.println("| run | hosts | state | tasks SUCCEEDED (256 pages moved) | submit answered "
                    + "| first lease | last lease | last result acknowledged | terminal seen | reads | errors "
                    + "| service RSS | service CPU |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (RunResult r : runs) {
                System.out.println(r.row());
            }
            List<Long> terminal =
                    runs.stream().map(RunResult::terminalNanos).sorted().toList();
            System.out.printf(
                    "%nsubmit → terminal over %d runs: median %.2f s, min %.2f s, max %.2f s%n",
                    terminal.size(),
                    terminal.get(terminal.size() / 2) / 1e9,
                    terminal.getFirst() / 1e9,
                    terminal.getLast() / 1e9);
        }
        System.out.printf(
                "leases %d, results accepted %d, errors over the whole run %s%n",
                leases.sum(), resultsAccepted.sum(), snapshot(errors));
    }

    private static String ms(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return "–";
        }
        int i = Math.min(sorted.size() - 1, (int) (sorted.size() * quantile));
        return String.format("%.1f", sorted.get(i) / 1e6);
    }

    private record LevelResult(
            int agents,
            double registerSeconds,
            int parkedMin,
            int parkedMax,
            long activeLeases,
            long tomcatConnections,
            long fds,
            Map<String, Long> errors,
            List<Long> emptyLeaseLate,
            List<Long> wakeups,
            long rssKiB,
            long heapUsedBytes,
            long liveHeapBytes,
            double cpuHold,
            double cpuLevel,
            double harnessCpu,
            double machineBusy,
            String load) {

        String row() {
            return String.format(
                    "| %,d | %.1f s | %,d–%,d | %,d | %,d | %,d | %s | %s / %s / %s ms | %s / %s / %s ms (%d) | %d MiB "
                            + "| %d MiB; %d MiB | %.0f %%; %.0f %% | %.0f %% | %.0f %% | %s |",
                    agents,
                    registerSeconds,
                    parkedMin,
                    parkedMax,
                    activeLeases,
                    tomcatConnections,
                    fds,
                    errors.isEmpty() ? "0" : errors.toString(),
                    ms(emptyLeaseLate, 0.5),
                    ms(emptyLeaseLate, 0.99),
                    ms(emptyLeaseLate, 1),
                    ms(wakeups, 0.5),
                    ms(wakeups, 0.99),
                    ms(wakeups, 1),
                    wakeups.size(),
                    rssKiB / 1024,
                    heapUsedBytes >> 20,
                    liveHeapBytes >> 20,
                    cpuHold,
                    cpuLevel,
                    harnessCpu,
                    machineBusy,
                    load);
        }
    }

    private record RunResult(
            int index,
            int hosts,
            String state,
            int succeeded,
            long submitNanos,
            long firstLeaseNanos,
            long lastLeaseNanos,
            long lastResultNanos,
            long terminalNanos,
            int reads,
            Map<String, Long> errors,
            long rssKiB,
            double cpu) {

        String row() {
            return String.format(
                    "| %d | %,d | %s | %,d | %.2f s | %.2f s | %.2f s | %.2f s | **%.2f s** | %d | %s | %d MiB | %.0f %% |",
                    index,
                    hosts,
                    state,
                    succeeded,
                    submitNanos / 1e9,
                    firstLeaseNanos / 1e9,
                    lastLeaseNanos / 1e9,
                    lastResultNanos / 1e9,
                    terminalNanos / 1e9,
                    reads,
                    errors.isEmpty() ? "0" : errors.toString(),
                    rssKiB / 1024,
                    cpu);
        }
    }

    // ---- the service process ----

    /** The service's resource use at one moment, from /proc. */
    private record ServiceSample(long nanos, long cpuTicks, long rssKiB, long fds, long machineIdle, long machineAll) {}

    /** The service as a process of its own, with its configuration, data dir and log in a temp folder. */
    private static final class Service {
        private final Process process;
        private final Path dir;
        private final @Nullable String schema;
        private final AtomicInteger stopped = new AtomicInteger();

        private Service(Process process, Path dir, @Nullable String schema) {
            this.process = process;
            this.dir = dir;
            this.schema = schema;
        }

        static Service start(Options options, String operator, String agent, int hosts) throws Exception {
            Path dir = Files.createTempDirectory("numashift-scale-");
            Path config = dir.resolve("scale.yaml");
            String hostList = IntStream.range(0, hosts)
                    .mapToObj(AgentScaleHarness::hostName)
                    .collect(Collectors.joining(", "));
            Files.writeString(config, """
                    numashift:
                      security:
                        tokens:
                          - name: scale-operator
                            sha256: %s
                            roles: [OPERATOR]
                          - name: scale-agents
                            sha256: %s
                            roles: [AGENT]
                            hosts: [%s]
                    server:
                      tomcat:
                        mbeanregistry:
                          enabled: true
                    """.formatted(Tokens.sha256Hex(operator), Tokens.sha256Hex(agent), hostList));
            List<String> java = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + options.serviceHeap(),
                    "--enable-native-access=ALL-UNNAMED"));
            java.addAll(options.serviceJvmArgs());
            if (options.jar() != null) {
                java.addAll(List.of("-jar", options.jar()));
            } else {
                java.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.numashift.NumashiftApplication"));
            }
            java.addAll(List.of(
                    "--server.port=" + options.port(),
                    "--numashift.data-dir=" + dir.resolve("data"),
                    "--numashift.sim.embedded-agents=false",
                    "--logging.level.io.numashift=WARN",
                    "--spring.config.additional-location=file:" + config));
            String schema = null;
            if (options.database().equals("postgres")) {
                schema = "ns_" + Instant.now().getEpochSecond() + "_"
                        + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
                postgres("create schema " + schema);
                java.addAll(List.of(
                        "--spring.datasource.url=" + POSTGRES + "?currentSchema=" + schema,
                        "--spring.datasource.username=postgres",
                        "--spring.flyway.schemas=" + schema,
                        "--spring.flyway.default-schema=" + schema));
            }
            java.addAll(options.serviceArgs());
            String command = (options.ulimit() > 0 ? "ulimit -n " + options.ulimit() + " && " : "") + "exec "
                    + java.stream().map(Service::quote).collect(Collectors.joining(" "));
            Path log = dir.resolve("service.log");
            Process process = new ProcessBuilder("bash", "-c", command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Service service = new Service(process, dir, schema);
            try {
                service.awaitUp(options.port());
            } catch (Exception e) {
                service.stop();
                throw e;
            }
            return service;
        }

        private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";

        private static void postgres(String sql) throws SQLException {
            try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", "");
                    Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }

        private static String quote(String arg) {
            return "'" + arg.replace("'", "'\"'\"'") + "'";
        }

        private void awaitUp(int port) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "the service exited with " + process.exitValue() + "; see " + log());
                }
                try {
                    var response = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/liveness"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // Not listening yet.
                }
                Thread.sleep(250);
            }
            throw new IllegalStateException("the service did not come up in 3 minutes; see " + log());
        }

        long pid() {
            return process.pid();
        }

        void collectGarbage() throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(60, TimeUnit.SECONDS);
        }

        Path log() {
            return dir.resolve("service.log");
        }

        ServiceSample sample() {
            long pid = process.pid();
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // After the command: state is field 3, utime 14 and stime 15 (1-based, man proc).
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                        .filter(l -> l.startsWith("VmRSS:"))
                        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                        .findFirst()
                        .orElse(-1);
                long fds;
                try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    fds = list.count();
                }
                String[] cpu = Files.readAllLines(Path.of("/proc/stat"))
                        .getFirst()
                        .trim()
                        .split("\\s+");
                long all = 0;
                for (int i = 1; i < cpu.length; i++) {
                    all += Long.parseLong(cpu[i]);
                }
                long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
                return new ServiceSample(System.nanoTime(), ticks, rss, fds, idle, all);
            } catch (IOException e) {
                throw new IllegalStateException("the service (pid " + pid + ") is gone; see " + log(), e);
            }
        }

        /** Stops the service (SIGTERM, then SIGKILL after 30 s) and drops its PostgreSQL schema. */
        void stop() {
            if (stopped.getAndIncrement() > 0) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            if (schema != null) {
                try {
                    postgres("drop schema if exists " + schema + " cascade");
                } catch (SQLException e) {
                    System.err.println("could not drop schema " + schema + ": " + e.getMessage());
                }
            }
        }
    }

    // ---- options ----

    /**
     * The command line.
     *
     * @param levels how many agents to hold, level by level
     * @param hold how long each level is held and measured
     * @param probes wake-up probes per level
     * @param jobHosts hosts of the job (the first agents)
     * @param jobRuns how many times the job is run
     * @param jobTimeout the longest one run may take
     * @param readPace the least time between two blocking reads of the job
     * @param clients HTTP clients the agents share (one selector thread each)
     * @param registerConcurrency registrations in flight at once
     * @param database {@code h2} or {@code postgres}
     * @param port the service's port
     * @param serviceHeap the service's {@code -Xmx}
     * @param ulimit the open-file limit to set for the service, or 0 to keep the inherited one
     * @param jar the packaged service, or null to run it from this JVM's class path
     * @param serviceJvmArgs more JVM options for the service (a profiler, GC settings)
     * @param serviceArgs more arguments for the service
     */
    private record Options(
            List<Integer> levels,
            Duration hold,
            int probes,
            int jobHosts,
            int jobRuns,
            Duration jobTimeout,
            Duration readPace,
            int clients,
            int registerConcurrency,
            String database,
            int port,
            String serviceHeap,
            int ulimit,
            @Nullable String jar,
            List<String> serviceJvmArgs,
            List<String> serviceArgs) {

        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>(Map.ofEntries(
                    Map.entry("agents", "1000,2000,5000"),
                    Map.entry("hold", "40"),
                    Map.entry("probes", "20"),
                    Map.entry("job-hosts", "1000"),
                    Map.entry("job-runs", "5"),
                    Map.entry("job-timeout", "300"),
                    Map.entry("read-pace-ms", "250"),
                    Map.entry("clients", "8"),
                    Map.entry("register-concurrency", "32"),
                    Map.entry("db", "h2"),
                    Map.entry("port", "18095"),
                    Map.entry("service-heap", "1g"),
                    Map.entry("ulimit", "0")));
            List<String> serviceArgs = new ArrayList<>();
            List<String> serviceJvmArgs = new ArrayList<>();
            String jar = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--") || i + 1 >= args.length) {
                    usage("unexpected argument " + arg);
                }
                String key = arg.substring(2);
                String value = args[++i];
                if (key.equals("service-arg")) {
                    serviceArgs.add(value);
                } else if (key.equals("service-jvm-arg")) {
                    serviceJvmArgs.add(value);
                } else if (key.equals("jar")) {
                    jar = value;
                } else if (values.containsKey(key)) {
                    values.put(key, value);
                } else {
                    usage("unknown option " + arg);
                }
            }
            List<Integer> levels = Arrays.stream(values.get("agents").split(","))
                    .map(String::trim)
                    .map(Integer::parseInt)
                    .sorted()
                    .toList();
            String database = values.get("db");
            if (!database.equals("h2") && !database.equals("postgres")) {
                usage("--db is h2 or postgres");
            }
            return new Options(
                    levels,
                    Duration.ofSeconds(Long.parseLong(values.get("hold"))),
                    Integer.parseInt(values.get("probes")),
                    Integer.parseInt(values.get("job-hosts")),
                    Integer.parseInt(values.get("job-runs")),
                    Duration.ofSeconds(Long.parseLong(values.get("job-timeout"))),
                    Duration.ofMillis(Long.parseLong(values.get("read-pace-ms"))),
                    Integer.parseInt(values.get("clients")),
                    Integer.parseInt(values.get("register-concurrency")),
                    database,
                    Integer.parseInt(values.get("port")),
                    values.get("service-heap"),
                    Integer.parseInt(values.get("ulimit")),
                    jar,
                    List.copyOf(serviceJvmArgs),
                    List.copyOf(serviceArgs));
        }

        private static void usage(String problem) {
            System.err.println(problem);
            System.err.println(
                    "usage: AgentScaleHarness [--agents 1000,2000,5000] [--hold SECONDS] [--probes N]"
                            + " [--job-hosts N] [--job-runs N] [--job-timeout SECONDS] [--read-pace-ms MS] [--clients N]"
                            + " [--register-concurrency N] [--db h2|postgres] [--port N] [--service-heap 1g] [--ulimit N]"
                            + " [--jar target/numashift-*.jar] [--service-jvm-arg -XX:...]... [--service-arg --some.property=value]...");
            System.exit(2);
        }
    }
}
