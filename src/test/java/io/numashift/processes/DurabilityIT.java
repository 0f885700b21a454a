package io.numashift.processes;

import static io.numashift.processes.ProcessCluster.AGENT;
import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.ProcessCluster.Service;
import io.numashift.service.Databases;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What the service acknowledged survives its death. Clients submit jobs from 8 threads while
 * agents (this test, speaking the agent protocol) lease the jobs' tasks and report results; the
 * service is killed with SIGKILL, alternately while requests are in flight and right after a burst
 * ended, and started again on the same database. After each restart every job ever answered {@code
 * 201} is there, by id and in the list, and every result answered {@code 200} is there: its task
 * ended with its processes. A submit or result in flight when the service died was not
 * acknowledged; retried after the restart (the submit with its Idempotency-Key, the result with its
 * epoch) it is taken, and each key names exactly one job.
 */
class DurabilityIT {
    private static final int ROUNDS = 3;
    private static final int CLIENTS = 8;
    private static final int AGENTS = 2;
    /** Submits acknowledged in a round before the kill. */
    private static final int BURST = 250;
    /** Results accepted in a round before the kill. */
    private static final int RESULTS = 25;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedJobAndAcceptedResultSurvivesSigkillOnH2() throws InterruptedException {
        crashRounds("durable-h2");
    }

    @Test
    @Databases.RequiresPostgres
    void everyAcknowledgedJobAndAcceptedResultSurvivesSigkillOnPostgres() throws InterruptedException {
        try (Databases.Schema schema = Databases.schema()) {
            crashRounds("durable-pg", schema.properties());
        }
    }

    /** A submit as sent: a retry sends the same request under the same key. */
    private record Submit(String key, String host, int pid) {}

    /** A result as reported for a lease. */
    private record Report(String taskId, String jobId, long epoch, List<Integer> pids) {}

    private void crashRounds(String name, String... database) throws InterruptedException {
        List<String> hosts = IntStream.rangeClosed(1, ROUNDS)
                .boxed()
                .flatMap(round -> IntStream.rangeClosed(1, AGENTS).mapToObj(agent -> "r" + round + "-host" + agent))
                .toList();
        try (ProcessCluster cluster = new ProcessCluster(dir, "/scenarios/processes.yaml", hosts)) {
            List<String> properties = new ArrayList<>(List.of(
                    // Longer than a restart takes: a result in flight at the kill is reported again
                    // on the lease it was for.
                    "numashift.dispatch.lease-duration=5m"));
            properties.addAll(List.of(database));
            Service service = cluster.service(name, properties.toArray(String[]::new));
            ProtocolClient client = service.client();

            Map<String, String> acknowledged = new HashMap<>();
            Map<String, String> retried = new HashMap<>();
            List<Report> accepted = new ArrayList<>();
            List<String> summary = new ArrayList<>();
            Set<String> lost = new LinkedHashSet<>();
            List<String> unexpected = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                boolean inFlight = round % 2 == 1;
                List<String> roundHosts = hosts.subList((round - 1) * AGENTS, round * AGENTS);
                for (String host : roundHosts) {
                    assertThat(client.register(host, AGENT).status()).isEqualTo(200);
                }
                Load load = new Load(service, roundHosts, round * 1_000_000);
                load.run(inFlight);
                service.process().restart();
                service.awaitReady();
                unexpected.addAll(load.unexpected);

                // What earlier rounds acknowledged must survive this crash too.
                List<String> earlier = missingJobs(client, acknowledged.values());
                earlier.addAll(missingJobs(client, retried.values()));
                earlier.addAll(missingResults(client, accepted));
                List<String> jobs = missingJobs(client, load.acknowledged.values());
                List<String> results = missingResults(client, List.copyOf(load.accepted));
                acknowledged.putAll(load.acknowledged);
                accepted.addAll(load.accepted);

                // Not acknowledged: a client retries, an agent reports again on its lease.
                for (Submit submit : load.submitsInFlight) {
                    ProtocolClient.Response again = submit(client, submit);
                    if (again.status() == 200 || again.status() == 201) {
                        retried.put(submit.key(), again.body().get("id").asString());
                    } else {
                        unexpected.add("retried submit " + again.status() + " " + again.body());
                    }
                }
                for (Report report : load.resultsInFlight) {
                    ProtocolClient.Response again = report(client, report);
                    if (again.status() == 200) {
                        accepted.add(report);
                    } else {
                        // The lease this result is for was answered 200 before the kill.
                        results.add("lease of task " + report.taskId() + " at epoch " + report.epoch() + ": "
                                + again.body().path("detail").asString());
                    }
                }
                summary.add(("round %d, killed %s: %d submits acknowledged, %d results accepted, %d submits and %d"
                                + " results in flight; after the restart %d of its jobs and %d of its results or"
                                + " leases missing, %d of earlier rounds'")
                        .formatted(
                                round,
                                inFlight ? "with requests in flight" : "right after the burst",
                                load.acknowledged.size(),
                                load.accepted.size(),
                                load.submitsInFlight.size(),
                                load.resultsInFlight.size(),
                                jobs.size(),
                                results.size(),
                                earlier.size()));
                lost.addAll(jobs);
                lost.addAll(results);
                lost.addAll(earlier);
            }

            String rounds = String.join("\n", summary);
            System.out.println(name + ":\n" + rounds);
            assertThat(lost).as("acknowledged writes lost\n%s", rounds).isEmpty();
            assertThat(unexpected)
                    .as("answers other than acknowledgements\n%s", rounds)
                    .isEmpty();
            List<String> listed = listAll(client);
            Set<String> expected = new HashSet<>(acknowledged.values());
            expected.addAll(retried.values());
            assertThat(listed)
                    .as("the list holds one job for each key, acknowledged or retried")
                    .doesNotHaveDuplicates()
                    .hasSize(acknowledged.size() + retried.size())
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ROUNDS * BURST);
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(ROUNDS * RESULTS);
        }
    }

    /**
     * One round: clients submit jobs for the round's hosts, agents lease their tasks and report
     * results, until enough were acknowledged; then the service is killed.
     */
    private static final class Load {
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final Queue<Submit> submitsInFlight = new ConcurrentLinkedQueue<>();
        final Queue<Report> accepted = new ConcurrentLinkedQueue<>();
        final Queue<Report> resultsInFlight = new ConcurrentLinkedQueue<>();
        final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        private final Service service;
        private final List<String> hosts;
        private final AtomicInteger pids;
        private final AtomicBoolean stop = new AtomicBoolean();

        Load(Service service, List<String> hosts, int firstPid) {
            this.service = service;
            this.hosts = hosts;
            this.pids = new AtomicInteger(firstPid);
        }

        /**
         * Runs the load until {@link #BURST} submits and {@link #RESULTS} results were acknowledged,
         * and kills the service: while requests are in flight, or right after every client stopped.
         */
        void run(boolean killInFlight) throws InterruptedException {
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            for (int c = 0; c < CLIENTS; c++) {
                threads.submit(this::submitUntilStopped);
            }
            for (String host : hosts) {
                threads.submit(() -> serveUntilStopped(host));
            }
            await("acknowledgements")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> acknowledged.size() >= BURST && accepted.size() >= RESULTS);
            if (killInFlight) {
                service.process().kill();
                stop.set(true);
            } else {
                stop.set(true);
            }
            threads.shutdown();
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            if (!killInFlight) {
                service.process().kill();
            }
        }

        private void submitUntilStopped() {
            ProtocolClient client = service.client();
            while (!stop.get()) {
                int pid = pids.incrementAndGet();
                Submit submit = new Submit(UUID.randomUUID().toString(), hosts.get(pid % hosts.size()), pid);
                ProtocolClient.Response response;
                try {
                    response = submit(client, submit);
                } catch (UncheckedIOException died) {
                    submitsInFlight.add(submit);
                    return;
                }
                if (response.status() == 201) {
                    acknowledged.put(submit.key(), response.body().get("id").asString());
                } else {
                    unexpected.add("submit " + response.status() + " " + response.body());
                }
            }
        }

        /** An agent of {@code host}: leases a task, reports every process moved, again. */
        private void serveUntilStopped(String host) {
            ProtocolClient client = service.client();
            while (!stop.get()) {
                ProtocolClient.Response lease;
                try {
                    lease = client.lease(host, AGENT, "200ms");
                } catch (UncheckedIOException died) {
                    return;
                }
                if (lease.status() == 204) {
                    continue;
                }
                if (lease.status() != 200) {
                    unexpected.add("lease " + lease.status() + " " + lease.body());
                    continue;
                }
                List<Integer> leasedPids = new ArrayList<>();
                lease.body().get("targets").get("pids").forEach(pid -> leasedPids.add(pid.asInt()));
                Report report = new Report(
                        lease.body().get("taskId").asString(),
                        lease.body().get("jobId").asString(),
                        lease.body().get("epoch").asLong(),
                        leasedPids);
                ProtocolClient.Response result;
                try {
                    result = report(client, report);
                } catch (UncheckedIOException died) {
                    resultsInFlight.add(report);
                    return;
                }
                if (result.status() == 200 && result.body().get("accepted").asBoolean()) {
                    accepted.add(report);
                } else {
                    unexpected.add("result " + result.status() + " " + result.body());
                }
            }
        }
    }

    private static ProtocolClient.Response submit(ProtocolClient client, Submit submit) {
        return client.post(
                "/api/v1/jobs",
                OPERATOR,
                """
                {"name": "durable", "targets": [{"hosts": ["%s"], "pids": [%d]}],
                 "oldNodes": [0], "newNodes": [1]}""".formatted(submit.host(), submit.pid()),
                Map.of("Idempotency-Key", submit.key()));
    }

    private static ProtocolClient.Response report(ProtocolClient client, Report report) {
        return client.result(
                report.taskId(),
                report.epoch(),
                AGENT,
                report.pids().stream().map(ProtocolClient::succeeded).toArray(String[]::new));
    }

    /** The jobs of {@code ids} that the service does not find. */
    private static List<String> missingJobs(ProtocolClient client, Iterable<String> ids) {
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            ProtocolClient.Response read = client.get("/api/v1/jobs/" + id, OPERATOR);
            if (read.status() != 200) {
                missing.add("job " + id + ": " + read.status());
            }
        }
        return missing;
    }

    /** The results whose task is not ended with their processes, as reported. */
    private static List<String> missingResults(ProtocolClient client, List<Report> reports) {
        List<String> missing = new ArrayList<>();
        for (Report report : reports) {
            ProtocolClient.Response read = client.get("/api/v1/jobs/" + report.jobId(), OPERATOR);
            if (read.status() != 200) {
                missing.add("result of task " + report.taskId() + ": its job " + read.status());
                continue;
            }
            JsonNode task = read.body().get("tasks").get(0);
            List<Integer> reported = new ArrayList<>();
            task.get("processes")
                    .forEach(process -> reported.add(process.get("pid").asInt()));
            if (!task.get("state").asString().equals("SUCCEEDED") || !reported.equals(report.pids())) {
                missing.add("result of task " + report.taskId() + ": the task is " + task.get("state")
                        + " with processes " + reported);
            }
        }
        return missing;
    }

    /** Every job's id, page after page of the list. */
    private static List<String> listAll(ProtocolClient client) {
        List<String> ids = new ArrayList<>();
        String after = null;
        do {
            JsonNode page = client.get("/api/v1/jobs?limit=500" + (after == null ? "" : "&after=" + after), OPERATOR)
                    .body();
            page.get("items").forEach(job -> ids.add(job.get("id").asString()));
            after = page.get("next").isNull() ? null : page.get("next").asString();
        } while (after != null);
        return ids;
    }
}
