package io.numashift.processes;

import static io.numashift.processes.ProcessCluster.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.dispatch.ProtocolClient;
import io.numashift.processes.ProcessCluster.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * numashift's Slurm scripts ({@code contrib/slurm/}) against a real one-node Slurm
 * ({@link SlurmCluster}), a service process and an agent process on this machine's kernel: real
 * {@code sbatch} jobs, whose processes the agent finds with {@code scontrol listpids}. This
 * machine has one NUMA node, so the migrations here go from node 0 to node 0: the tests check that
 * the right processes of the right jobs are migrated and reported, and that a job never fails for
 * numashift; moves between nodes are tested in the QEMU guests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlurmIT {
    @TempDir
    static Path dir;

    static SlurmCluster slurm;
    static ProcessCluster cluster;
    static Service service;
    static ProtocolClient client;
    static Process helper;

    @BeforeAll
    static void start() throws IOException {
        Path slurmDir = Files.createDirectories(dir.resolve("slurm"));
        String host = SlurmCluster.run("hostname", "-s").strip();
        cluster = new ProcessCluster(dir, "/scenarios/e2e.yaml", List.of(host));
        helper = new ProcessBuilder("sleep", "600").start();
        Path token = dir.resolve("operator.token");
        Files.writeString(token, OPERATOR);
        // Started first, so that the service's address is known to the settings; the agent after
        // Slurm is up, so that scontrol answers it.
        service = cluster.service("slurm-service");
        client = service.client();
        slurm = SlurmCluster.start(slurmDir, """
                NUMASHIFT_URL=%s
                NUMASHIFT_TOKEN_FILE=%s
                NUMASHIFT_BIN=%s
                NUMASHIFT_JAR=%s
                JAVA_HOME=%s
                NUMASHIFT_TIMEOUT=60s
                NUMASHIFT_SLURM_LOG=%s
                XDG_CACHE_HOME=%s
                export XDG_CACHE_HOME
                NUMASHIFT_PROLOG_TARGET="--pids %d"
                NUMASHIFT_PROLOG_FROM=0
                NUMASHIFT_PROLOG_TO=0
                NUMASHIFT_TASK_FROM=0
                NUMASHIFT_TASK_TO=0
                """.formatted(
                        service.url(),
                        token,
                        Path.of("src", "main", "bin", "numashift").toAbsolutePath(),
                        JarProcess.jar().toAbsolutePath(),
                        System.getProperty("java.home"),
                        dir.resolve("slurm-scripts.log"),
                        dir.resolve("cache"),
                        helper.pid()));
        cluster.linuxAgent("slurm-agent", slurm.host(), List.of(service));
        service.awaitOnline(slurm.host());
    }

    @AfterAll
    static void stop() {
        if (slurm != null) {
            slurm.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (helper != null) {
            helper.destroy();
        }
    }

    @Test
    @Order(1)
    void anOperatorMovesARunningJobsMemoryWithOneCommandAndTheAgentFindsTheJobsProcesses() {
        String job = slurm.sbatch("--wrap", "sleep 300");
        // Once the TaskProlog has placed the batch script's task, the job's processes stay as they are.
        await("job " + job + " running, its TaskProlog done")
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> slurm.jobField(job, "JobState").equals("RUNNING")
                        && Files.readString(dir.resolve("slurm-scripts.log"))
                                .contains(" task-prolog job " + job + ":"));
        List<Integer> before = slurm.listpids(job);

        String out = SlurmCluster.run(
                Map.of(
                        "NUMASHIFT_SLURM_ENV",
                        dir.resolve("slurm").resolve("slurm.env").toString()),
                Path.of("contrib", "slurm", "numashift-move-job")
                        .toAbsolutePath()
                        .toString(),
                "-j",
                job,
                "--from",
                "0",
                "--to",
                "0");

        assertThat(out).contains("moving job " + job + " on " + slurm.host()).contains("done");
        JsonNode moved = onlyJob(job, "move-job");
        assertThat(moved.path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(moved.path("request").path("targets").get(0).path("slurmJob").asString())
                .isEqualTo(job);
        // The processes scontrol listpids gives, read before and after the move: a process of the
        // job's start may come or go in between.
        List<Integer> after = slurm.listpids(job);
        List<Integer> either = new ArrayList<>(before);
        either.addAll(after);
        List<Integer> both = new ArrayList<>(before);
        both.retainAll(after);
        assertThat(both).as("the batch script's shell at least").isNotEmpty();
        assertThat(pids(moved))
                .as("the processes scontrol listpids gives")
                .isSubsetOf(either)
                .containsAll(both);
        for (JsonNode process : moved.path("tasks").get(0).path("processes")) {
            assertThat(process.path("pagesScanned").asLong()).isPositive();
            assertThat(process.path("placementAfter").propertyNames()).containsOnly("0");
        }
        SlurmCluster.run("scancel", job);
    }

    @Test
    @Order(2)
    void aStepOfTheJobMovesItsOwnJobAndThePrologAndTaskPrologRunForEveryJob() {
        String script = Path.of("contrib", "slurm", "numashift-move-job").toAbsolutePath() + " --from 0 --to 0";
        String job = slurm.sbatch("--wrap", "srun -n1 " + script);
        await("job " + job + " done")
                .atMost(Duration.ofSeconds(90))
                .until(() -> slurm.jobField(job, "JobState").equals("COMPLETED"));

        assertThat(slurm.jobField(job, "ExitCode")).isEqualTo("0:0");
        assertThat(jobs(job, "move-job")).as(jobOutput(job)).hasSize(1);
        JsonNode step = onlyJob(job, "move-job");
        assertThat(step.path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(pids(step))
                .as("the job's processes, the step's own among them")
                .isNotEmpty();

        JsonNode prolog = onlyJob(job, "prolog");
        assertThat(prolog.path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(pids(prolog)).as("the processes the site named").containsExactly((int) helper.pid());

        List<JsonNode> tasks = jobs(job, "task-prolog");
        assertThat(tasks).as("a placement for each task").isNotEmpty();
        for (JsonNode task : tasks) {
            assertThat(task.path("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(pids(task)).hasSize(1);
        }
    }

    @Test
    @Order(3)
    void withNumashiftAwayAJobRunsAsBeforeAndTheScriptsSaySoInTheirLog() throws IOException {
        service.process().kill();

        String job = slurm.sbatch("--wrap", "srun -n1 true");
        await("job " + job + " done")
                .atMost(Duration.ofSeconds(120))
                .until(() -> slurm.jobField(job, "JobState").equals("COMPLETED"));

        assertThat(slurm.jobField(job, "ExitCode")).isEqualTo("0:0");
        assertThat(slurm.nodeState()).as("not drained").isIn("idle", "mix", "alloc");
        String log = Files.readString(dir.resolve("slurm-scripts.log"));
        assertThat(log.lines())
                .as(log)
                .anyMatch(
                        line -> line.contains(" prolog job " + job + ":") && line.contains("numashift is unreachable"))
                .anyMatch(line ->
                        line.contains(" task-prolog job " + job + ":") && line.contains("numashift is unreachable"));
    }

    /** What a Slurm job printed and what the scripts logged, for assertion messages. */
    private static String jobOutput(String job) {
        try {
            Path out = dir.resolve("slurm").resolve("slurm-" + job + ".out");
            Path log = dir.resolve("slurm-scripts.log");
            return "job output:\n" + (Files.exists(out) ? Files.readString(out) : "(none)") + "\nscripts' log:\n"
                    + (Files.exists(log) ? Files.readString(log) : "(none)");
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The numashift jobs that a script submitted for a Slurm job. */
    private static List<JsonNode> jobs(String slurmJob, String script) {
        JsonNode page = client.get("/api/v1/jobs?limit=500&label=slurmJobId:" + slurmJob, OPERATOR)
                .body();
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode summary : page.path("items")) {
            JsonNode job = client.get("/api/v1/jobs/" + summary.path("id").asString(), OPERATOR)
                    .body();
            if (script.equals(job.path("labels").path("slurmScript").asString())) {
                found.add(job);
            }
        }
        return found;
    }

    private static JsonNode onlyJob(String slurmJob, String script) {
        List<JsonNode> found = jobs(slurmJob, script);
        assertThat(found)
                .as("numashift jobs of Slurm job %s by %s", slurmJob, script)
                .hasSize(1);
        return found.get(0);
    }

    private static List<Integer> pids(JsonNode job) {
        List<Integer> pids = new ArrayList<>();
        for (JsonNode task : job.path("tasks")) {
            for (JsonNode process : task.path("processes")) {
                pids.add(process.path("pid").asInt());
            }
        }
        return pids;
    }
}
