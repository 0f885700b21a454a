package io.numashift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.processes.JarProcess;
import io.numashift.processes.ProcessCluster;
import io.numashift.processes.SimulatedClusterService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command line as scripts and batch schedulers run it: {@code src/main/bin/numashift} started
 * as a process of its own (on the packaged jar, unpacked into a cache of the test's) against the
 * service started from the same jar, with embedded simulated agents for the hosts of {@code
 * scenarios/e2e.yaml}: h1 (a pinned page: partly failed), h2, and h3 (slow, to cancel). Every exit
 * code of docs/cli.md is reached for real.
 */
class CliIT {
    private static final String OPERATOR = SimulatedClusterService.OPERATOR;
    private static final String VIEWER = SimulatedClusterService.VIEWER;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;

    static SimulatedClusterService service;
    static String url;

    @BeforeAll
    static void startService() {
        service = SimulatedClusterService.start("cli-service", dir, "/scenarios/e2e.yaml", 3);
        url = service.url();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    /** What one run of the command printed and its exit code. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            return JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** Runs {@code numashift args…} with the service's URL and the operator's token in the environment. */
    static Run cli(String... args) {
        return cli(Map.of(), args);
    }

    static Run cli(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of("src", "main", "bin", "numashift").toAbsolutePath().toString());
        command.addAll(List.of(args));
        return run(env, command);
    }

    /** Runs {@code numashift args…} on a terminal: {@code script(1)} gives it a pseudo-terminal. */
    static Run cliOnTerminal(String... args) {
        StringBuilder line = new StringBuilder("'")
                .append(Path.of("src", "main", "bin", "numashift").toAbsolutePath())
                .append("'");
        for (String arg : args) {
            line.append(" '").append(arg.replace("'", "'\\''")).append("'");
        }
        return run(Map.of(), List.of("script", "-qec", line.toString(), "/dev/null"));
    }

    private static Run run(Map<String, String> env, List<String> command) {
        // In a folder of its own: no ./data/operator.token to fall back on.
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> environment = builder.environment();
        environment
                .keySet()
                .removeIf(key -> key.startsWith("NUMASHIFT_") || key.startsWith("SLURM_") || key.startsWith("PBS_"));
        environment.put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        environment.put("NUMASHIFT_JAR", JarProcess.jar().toAbsolutePath().toString());
        environment.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        environment.put("HOME", dir.resolve("home").toString());
        environment.put("NUMASHIFT_URL", url);
        environment.put("NUMASHIFT_TOKEN", OPERATOR);
        Map<String, String> overrides = new HashMap<>(env);
        overrides.forEach((key, value) -> {
            if (value == null || value.isEmpty()) {
                environment.remove(key);
            } else {
                environment.put(key, value);
            }
        });
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = read(process.getInputStream());
            CompletableFuture<String> err = read(process.getErrorStream());
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " still runs after 120 s");
            }
            return new Run(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void submitWithWaitFollowsTheJobToItsEndAndExitsZeroWhenItSucceeded() {
        Run run = cli(
                "submit",
                "--hosts",
                "h2",
                "--pids",
                "200",
                "--from",
                "0",
                "--to",
                "1",
                "--name",
                "cli h2",
                "--wait",
                "--output",
                "json");

        assertThat(run.exit()).as(run.toString()).isZero();
        JsonNode job = run.json();
        assertThat(job.path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("name").asString()).isEqualTo("cli h2");
        JsonNode process = job.path("tasks").get(0).path("processes").get(0);
        assertThat(process.path("pid").asInt()).isEqualTo(200);
        assertThat(process.path("placementAfter").path("1").asLong()).isEqualTo(1000);
        // Not a terminal: plain progress lines on standard error, ending with the job's end.
        assertThat(run.err()).contains("job " + job.path("id").asString() + " SUCCEEDED 100.0%");

        Run status = cli("status", job.path("id").asString());
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out()).contains("SUCCEEDED").contains("h2").contains("pages moved 1,000 of 1,000");
    }

    @Test
    void onATerminalTheProgressIsABarRedrawnInPlace() {
        Run submitted = cli("submit", "--hosts", "h2", "--pids", "200", "--from", "1", "--to", "0", "--dry-run");
        assertThat(submitted.exit()).as(submitted.toString()).isZero();

        Run run = cliOnTerminal("wait", submitted.out().strip());

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("a bar, drawn over itself with a carriage return")
                .contains("\r[" + "#".repeat(30) + "]");
        assertThat(run.out()).doesNotContain(" job " + submitted.out().strip() + " SUCCEEDED 100.0% (");
    }

    @Test
    void aJobWithPinnedPagesExitsTwoAndShowsTheFailureWithItsCode() {
        Run run = cli(
                "submit",
                "--hosts",
                "h1",
                "--cpuset",
                "/job",
                "--from",
                "0",
                "--to",
                "1",
                "--label",
                "case=pinned",
                "--wait");

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).contains("PARTIALLY_FAILED").contains("failures:").contains("h1 pid 101  EBUSY");
    }

    @Test
    void evacuateEmptiesNodesOfTheHostsNamedOrOfEveryHost() {
        Run planned = cli("evacuate", "--hosts", "h3", "--nodes", "1", "--dry-run", "--wait", "--output", "json");

        assertThat(planned.exit()).as(planned.toString()).isZero();
        JsonNode job = planned.json();
        assertThat(job.path("dryRun").asBoolean()).isTrue();
        assertThat(job.path("request").path("evacuate").path("nodes").get(0).asInt())
                .isEqualTo(1);
        assertThat(job.path("tasks")
                        .get(0)
                        .path("evacuated")
                        .get(0)
                        .path("node")
                        .asInt())
                .isEqualTo(1);

        Run everywhere = cli("evacuate", "--all-hosts", "--nodes", "5", "--name", "no such node", "--wait");

        assertThat(everywhere.exit()).as(everywhere.toString()).isEqualTo(1);
        assertThat(everywhere.out())
                .contains("FAILED")
                .contains("h1")
                .contains("h3")
                .contains("ENODEV");

        Run both = cli("evacuate", "--hosts", "h1", "--all-hosts", "--nodes", "0");
        assertThat(both.exit()).as(both.toString()).isEqualTo(64);
    }

    @Test
    void aJobThatFailsEverywhereExitsOneWithTheErrno() {
        Run run = cli("submit", "--hosts", "h2", "--pids", "200", "--from", "0", "--to", "7", "--wait");

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("FAILED").contains("ENODEV");
    }

    @Test
    void waitGivesUpAfterItsTimeoutAndACancelledJobExitsThree() {
        Run submitted = cli("submit", "--hosts", "h3", "--pids", "300", "--from", "0", "--to", "1");
        assertThat(submitted.exit()).as(submitted.toString()).isZero();
        String id = submitted.out().strip();

        Run timedOut = cli("wait", id, "--timeout", "1s");
        assertThat(timedOut.exit()).as(timedOut.toString()).isEqualTo(4);
        assertThat(timedOut.err()).contains("still").contains("numashift wait " + id);

        Run cancelled = cli("cancel", id, "--wait");
        assertThat(cancelled.exit()).as(cancelled.toString()).isEqualTo(3);
        assertThat(cancelled.out()).contains("CANCELLED");

        Run again = cli("cancel", id);
        assertThat(again.exit()).as("a finished job: conflict\n%s", again).isEqualTo(65);

        Run retried = cli("retry", id, "--output", "json");
        assertThat(retried.exit()).as(retried.toString()).isZero();
        assertThat(retried.json().path("labels").path("retryOf").asString()).isEqualTo(id);
        assertThat(cli("cancel", retried.json().path("id").asString(), "--wait").exit())
                .isEqualTo(3);
    }

    @Test
    void aSubmitRunAgainInsideTheSameBatchJobReturnsTheFirstJob() {
        Map<String, String> slurm = Map.of("SLURM_JOB_ID", "4711");
        String[] args = {"submit", "--hosts", "h1", "--pids", "100", "--from", "0", "--to", "1", "--dry-run"};

        Run first = cli(slurm, args);
        Run second = cli(slurm, args);
        Run otherJob = cli(Map.of("SLURM_JOB_ID", "4712"), args);
        Run keyed = cli(Map.of(), concat(args, "--idempotency-key", "k-1"));
        Run keyedAgain = cli(Map.of(), concat(args, "--idempotency-key", "k-1"));
        Run keyedOther = cli(
                Map.of(),
                "submit",
                "--hosts",
                "h1",
                "--pids",
                "100",
                "--from",
                "0",
                "--to",
                "1",
                "--name",
                "other",
                "--dry-run",
                "--idempotency-key",
                "k-1");

        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(second.out()).as("same batch job, same request").isEqualTo(first.out());
        assertThat(otherJob.out()).as("another batch job").isNotEqualTo(first.out());
        assertThat(keyedAgain.out()).isEqualTo(keyed.out());
        assertThat(keyedOther.exit())
                .as("same key, other request\n%s", keyedOther)
                .isEqualTo(65);
    }

    @Test
    void listAndHostsShowWhatTheServiceHas() {
        Run submitted = cli(
                "submit",
                "--hosts",
                "h2",
                "--pids",
                "200",
                "--from",
                "1",
                "--to",
                "0",
                "--label",
                "case=listed",
                "--dry-run",
                "--wait");
        assertThat(submitted.exit()).as(submitted.toString()).isZero();

        Run list = cli("list", "--label", "case:listed", "--output", "json");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.json().path("items").size()).isEqualTo(1);
        Run table = cli("list", "--label", "case:listed");
        assertThat(table.out()).contains("SUCCEEDED");

        Run hosts = cli("hosts");
        assertThat(hosts.exit()).as(hosts.toString()).isZero();
        assertThat(hosts.out().lines()).hasSize(3).allMatch(line -> line.contains("ONLINE"));
        Run one = cli("hosts", "h3", "--output", "json");
        assertThat(one.json().path("nodes").size()).isEqualTo(2);
    }

    @Test
    void whatKeepsACommandFromItsAnswerHasAnExitCodeOfItsOwnAndAOneLineMessage() {
        Run usage = cli("submit", "--hosts", "h1", "--pids", "100", "--to", "1");
        assertThat(usage.exit()).as(usage.toString()).isEqualTo(64);
        assertThat(usage.err()).contains("--from");

        Run invalid = cli("submit", "--hosts", "h1", "--pids", "100", "--from", "0,1", "--to", "1");
        assertThat(invalid.exit())
                .as("the service refuses it: 400\n%s", invalid)
                .isEqualTo(64);

        Run unknownHost = cli("submit", "--hosts", "h9", "--pids", "1", "--from", "0", "--to", "1");
        assertThat(unknownHost.exit()).as(unknownHost.toString()).isEqualTo(5);
        assertThat(unknownHost.err()).contains("h9");
        assertThat(cli("hosts", "h9").exit()).isEqualTo(5);

        Run noJob = cli("status", "00000000-0000-0000-0000-000000000000");
        assertThat(noJob.exit()).as(noJob.toString()).isEqualTo(6);

        Run badToken = cli(Map.of("NUMASHIFT_TOKEN", "not-a-token"), "hosts");
        assertThat(badToken.exit()).as(badToken.toString()).isEqualTo(77);
        assertThat(badToken.err()).doesNotContain("not-a-token");

        Run viewer = cli(
                Map.of("NUMASHIFT_TOKEN", VIEWER),
                "submit",
                "--hosts",
                "h1",
                "--pids",
                "100",
                "--from",
                "0",
                "--to",
                "1");
        assertThat(viewer.exit()).as("a viewer may not submit\n%s", viewer).isEqualTo(77);

        Run away = cli(Map.of("NUMASHIFT_URL", "http://127.0.0.1:" + ProcessCluster.freePort()), "hosts");
        assertThat(away.exit()).as(away.toString()).isEqualTo(69);
        assertThat(away.err().lines()).hasSize(1);
    }

    @Test
    void theNextUrlIsTriedWhenOneIsAwayAndTheTokenComesFromAFile() throws IOException {
        Path token = dir.resolve("viewer.token");
        Files.writeString(token, VIEWER + "\n");

        Run run = cli(
                Map.of("NUMASHIFT_URL", "", "NUMASHIFT_TOKEN", ""),
                "hosts",
                "--url",
                "http://127.0.0.1:" + ProcessCluster.freePort() + "," + url,
                "--token-file",
                token.toString());

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("h1").contains("h2").contains("h3");

        Run fromEnvFile = cli(Map.of("NUMASHIFT_TOKEN", "", "NUMASHIFT_TOKEN_FILE", token.toString()), "hosts");
        assertThat(fromEnvFile.exit()).as(fromEnvFile.toString()).isZero();

        Run none = cli(Map.of("NUMASHIFT_TOKEN", ""), "hosts");
        assertThat(none.exit()).as(none.toString()).isEqualTo(77);
        assertThat(none.err()).contains("NUMASHIFT_TOKEN");
    }

    private static String[] concat(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
