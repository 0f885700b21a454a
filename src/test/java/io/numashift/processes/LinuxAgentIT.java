package io.numashift.processes;

import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.linux.TouchedMemoryChild;
import io.numashift.processes.ProcessCluster.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The whole path on this machine's kernel: a service process, an agent process with the Linux
 * backend, and a real child process that maps and touches memory. This machine has one NUMA node,
 * so the migration is 0 → 0: it succeeds and moves nothing, the file marked
 * {@code user.numashift.migrate=none} is skipped, and the child's memory is intact.
 */
class LinuxAgentIT {
    @TempDir
    Path dir;

    @Test
    void anAgentProcessOnTheLinuxBackendMigratesARealProcess() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(dir, "/scenarios/processes.yaml", List.of("local"));
                TouchedMemoryChild child = TouchedMemoryChild.start()) {
            Service service = cluster.service("linux-service");
            ProtocolClient client = service.client();
            cluster.linuxAgent("linux-agent", "local", List.of(service));
            service.awaitOnline("local");
            JsonNode host = client.host("local", OPERATOR);
            assertThat(host.get("backend").asString()).isEqualTo("linux");
            assertThat(host.get("nodes").get(0).get("id").asInt()).isZero();

            ProtocolClient.Response submitted = client.post("/api/v1/jobs", OPERATOR, """
                    {"name": "on the kernel", "targets": [{"hosts": ["local"], "pids": [%d]}],
                     "oldNodes": [0], "newNodes": [0]}""".formatted(child.pid()));
            assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
            String job = submitted.body().get("id").asString();
            JsonNode done = client.awaitEnd(job, OPERATOR, Duration.ofSeconds(60));

            assertThat(done.get("state").asString()).as("%s", done).isEqualTo("SUCCEEDED");
            JsonNode process = done.get("tasks").get(0).get("processes").get(0);
            assertThat(process.get("pid").asInt()).isEqualTo(child.pid());
            assertThat(process.get("pagesMoved").asLong()).isZero();
            assertThat(process.get("placementBefore").get("0").asLong()).isPositive();
            assertThat(process.get("vmas").toString()).contains("XATTR_NONE");
            assertThat(child.verify()).isEqualTo("OK");
        }
    }
}
