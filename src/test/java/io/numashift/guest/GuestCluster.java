package io.numashift.guest;

import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.JarProcess;
import io.numashift.processes.ProcessCluster;
import io.numashift.processes.ProcessCluster.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The whole path onto a multi-node kernel: a service process on this machine (H2), and in a {@link
 * NumaGuest} the real agent process of the packaged jar on the Linux backend, which reaches the
 * service through the guest's one forwarded port. The agent runs with its memory bound to node 0,
 * so that the other nodes hold only what the tests put there.
 */
final class GuestCluster implements AutoCloseable {
    static final String HOST = "guest";
    private static final Duration AGENT_START = Duration.ofMinutes(4);
    private static final Duration JOB = Duration.ofMinutes(5);

    private final ProcessCluster processes;
    private final Service service;
    private final NumaGuest guest;
    private final ProtocolClient client;

    private GuestCluster(ProcessCluster processes, Service service, NumaGuest guest) {
        this.processes = processes;
        this.service = service;
        this.guest = guest;
        this.client = service.client();
    }

    static GuestCluster start(String name, NumaGuest.Spec machine) throws IOException, InterruptedException {
        NumaGuest.prepare();
        Path dir = Files.createTempDirectory(
                Files.createDirectories(Path.of("target", "guest-service")).toAbsolutePath(), name + "-");
        ProcessCluster processes = new ProcessCluster(dir, "/scenarios/processes.yaml", List.of(HOST));
        NumaGuest guest = null;
        try {
            Service service = processes.service(name + "-service");
            guest = NumaGuest.boot(name, machine.withForwards(List.of(service.port())));
            GuestCluster cluster = new GuestCluster(processes, service, guest);
            cluster.startAgent();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            if (guest != null) {
                guest.close();
            }
            processes.close();
            throw e;
        }
    }

    private void startAgent() throws IOException {
        Path token = guest.work().resolve("agent.token");
        Files.writeString(token, ProcessCluster.AGENT);
        Path log = guest.work().resolve("agent.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        guest.run("setsid numactl --membind=0 " + java
                        + " -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "
                        + JarProcess.jar().toAbsolutePath()
                        + " --numashift.mode=agent --numashift.agent.host=" + HOST
                        + " --numashift.agent.backend=linux --numashift.agent.token-file=" + token
                        + " --numashift.agent.offline-timeout=5s"
                        + " --numashift.agent.orchestrator-url=http://$NUMA_GUEST_HOST:" + service.port()
                        + " > " + log + " 2>&1 < /dev/null &")
                .ok();
        // Under emulation the JIT is limited to C1 (C2 miscompiles under TCG) and a start takes
        // about 40 s.
        await("the guest's agent ONLINE (its log: " + log + ")")
                .atMost(AGENT_START)
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .until(() -> client.host(HOST, OPERATOR).get("state").asString().equals("ONLINE"));
    }

    NumaGuest guest() {
        return guest;
    }

    /** The guest's host as the service has it: its backend and nodes. */
    JsonNode host() {
        return client.host(HOST, OPERATOR);
    }

    /**
     * Submits a job for these processes of the guest and waits until it ends.
     *
     * @param body the job's fields after {@code targets} ({@code "oldNodes": [0], …})
     */
    JsonNode migrate(List<Integer> pids, String body) {
        String id = submit(pids, body);
        return awaitEnd(id);
    }

    /**
     * Submits an evacuation of the guest's host and waits until it ends.
     *
     * @param body the evacuation's fields after {@code hosts} ({@code "nodes": [3], …})
     */
    JsonNode evacuate(String body) {
        ProtocolClient.Response submitted = client.post("/api/v1/evacuations", OPERATOR, """
                {"name": "guest evacuation", "hosts": ["%s"], %s}""".formatted(HOST, body));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
        return awaitEnd(submitted.body().get("id").asString());
    }

    String submit(List<Integer> pids, String body) {
        ProtocolClient.Response submitted = client.post("/api/v1/jobs", OPERATOR, """
                {"name": "guest test", "targets": [{"hosts": ["%s"], "pids": %s}], %s}""".formatted(HOST, pids, body));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
        return submitted.body().get("id").asString();
    }

    JsonNode job(String id) {
        return client.job(id, OPERATOR);
    }

    JsonNode awaitEnd(String id) {
        return client.awaitEnd(id, OPERATOR, JOB);
    }

    /** A counter of the guest kernel's {@code /proc/vmstat}, such as {@code pgmigrate_success}. */
    long vmstat(String counter) {
        for (String line : guest.run("cat /proc/vmstat").ok().lines().toList()) {
            String[] f = line.split(" ");
            if (f[0].equals(counter)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new AssertionError("no " + counter + " in the guest's /proc/vmstat");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            guest.close();
        } finally {
            processes.close();
        }
    }
}
