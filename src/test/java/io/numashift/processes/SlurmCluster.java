package io.numashift.processes;

import static org.awaitility.Awaitility.await;

import io.numashift.testing.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real one-node Slurm cluster on this machine (Debian's {@code slurm-wlm} and {@code munge}):
 * {@code munged}, {@code slurmctld} and {@code slurmd}, started by the test with a {@code
 * slurm.conf} of its own whose Prolog and TaskProlog are numashift's scripts in {@code
 * contrib/slurm/}, given the site settings of {@code slurm.env}. The node is this host, under its
 * short name. Slurm's commands read {@code /etc/slurm/slurm.conf}, so the cluster writes it there,
 * marked as the tests'; a configuration it did not write is left alone and the tests are skipped.
 * Without Slurm the tests are skipped, unless {@code NUMASHIFT_REQUIRE_SLURM=true} (as CI sets it).
 */
final class SlurmCluster implements AutoCloseable {
    private static final Path CONF = Path.of("/etc/slurm/slurm.conf");
    private static final String MARK = "# numashift's test cluster";

    private final Path dir;
    private final String host;
    private final List<Process> daemons = new ArrayList<>();

    private SlurmCluster(Path dir, String host) {
        this.dir = dir;
        this.host = host;
    }

    /** Starts the cluster with {@code siteSettings} as the scripts' {@code slurm.env}. */
    static SlurmCluster start(Path dir, String siteSettings) throws IOException {
        boolean installed =
                List.of("/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch").stream()
                        .allMatch(p -> Files.isExecutable(Path.of(p)));
        boolean ours = !Files.exists(CONF) || Files.readString(CONF).startsWith(MARK);
        String missing = !installed
                ? "Slurm is not installed (apt-get install slurm-wlm munge)"
                : !ours ? CONF + " is not the tests' own: this machine runs a Slurm of its own" : null;
        if (missing != null && "true".equals(System.getenv("NUMASHIFT_REQUIRE_SLURM"))) {
            throw new IllegalStateException("NUMASHIFT_REQUIRE_SLURM is set but " + missing);
        }
        Assumptions.assumeTrue(missing == null, missing);

        SlurmCluster slurm = new SlurmCluster(dir, run("hostname", "-s").strip());
        slurm.configure(siteSettings);
        slurm.startDaemons();
        return slurm;
    }

    String host() {
        return host;
    }

    private void configure(String siteSettings) throws IOException {
        Path contrib = Path.of("contrib", "slurm").toAbsolutePath();
        for (String dirName : List.of("state", "spool", "log")) {
            Files.createDirectories(dir.resolve(dirName));
        }
        Files.writeString(dir.resolve("slurm.env"), siteSettings);
        // Slurm runs its prologs with an environment of its own: the wrappers point the scripts at
        // the site settings of this test.
        for (String script : List.of("prolog", "task-prolog")) {
            Path wrapper = dir.resolve(script);
            Files.writeString(
                    wrapper,
                    "#!/bin/sh\nNUMASHIFT_SLURM_ENV=" + dir.resolve("slurm.env") + "\nexport NUMASHIFT_SLURM_ENV\nexec "
                            + contrib.resolve(script) + " \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectories(CONF.getParent());
        Files.writeString(
                CONF,
                MARK + ", written by " + dir
                        + """

                ClusterName=numashift-test
                SlurmctldHost=%1$s
                SlurmUser=root
                AuthType=auth/munge
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                SelectType=select/cons_tres
                SelectTypeParameters=CR_CPU
                JobAcctGatherType=jobacct_gather/none
                AccountingStorageType=accounting_storage/none
                MailProg=/bin/true
                ReturnToService=2
                StateSaveLocation=%2$s/state
                SlurmdSpoolDir=%2$s/spool
                SlurmctldLogFile=%2$s/log/slurmctld.log
                SlurmdLogFile=%2$s/log/slurmd.log
                SlurmctldPidFile=%2$s/slurmctld.pid
                SlurmdPidFile=%2$s/slurmd.pid
                Prolog=%2$s/prolog
                TaskProlog=%2$s/task-prolog
                NodeName=%1$s CPUs=%3$d State=UNKNOWN
                PartitionName=debug Nodes=%1$s Default=YES MaxTime=INFINITE State=UP
                """.formatted(host, dir, Runtime.getRuntime().availableProcessors()));
    }

    private void startDaemons() throws IOException {
        if (runStatus(List.of("munge", "-n")) != 0) {
            Path run = Path.of("/run/munge");
            Files.createDirectories(run);
            run("chown", "munge:munge", run.toString());
            run("chmod", "0400", "/etc/munge/munge.key");
            daemons.add(daemon("munged", List.of("runuser", "-u", "munge", "--", "munged", "--foreground")));
            await("munge").atMost(Duration.ofSeconds(10)).until(() -> runStatus(List.of("munge", "-n")) == 0);
        }
        // Daemons of an earlier run read another configuration: stop them.
        runStatus(List.of("pkill", "-x", "slurmctld"));
        runStatus(List.of("pkill", "-x", "slurmd"));
        await("old daemons gone")
                .atMost(Duration.ofSeconds(15))
                .until(() -> runStatus(List.of("pgrep", "-x", "slurmctld|slurmd")) != 0);
        daemons.add(daemon("slurmctld", List.of("slurmctld", "-D", "-i")));
        daemons.add(daemon("slurmd", List.of("slurmd", "-D")));
        await("the node is idle")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> run("sinfo", "-h", "-n", host, "-o", "%t").strip().equals("idle"));
    }

    private Process daemon(String name, List<String> command) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log").resolve(name + ".out").toFile())
                .start();
    }

    /**
     * {@code sbatch --parsable} with these options; the job's id. The job's environment points
     * numashift's scripts at the site settings, as {@code /etc/numashift/slurm.env} would.
     */
    String sbatch(String... options) {
        List<String> command = new ArrayList<>(List.of("sbatch", "--parsable", "--chdir=" + dir));
        command.addAll(List.of(options));
        return run(Map.of("NUMASHIFT_SLURM_ENV", dir.resolve("slurm.env").toString()), command.toArray(String[]::new))
                .strip()
                .split(";")[0];
    }

    /** A field of {@code scontrol show job}, such as {@code JobState} or {@code ExitCode}. */
    String jobField(String job, String field) {
        for (String word : run("scontrol", "show", "job", job).split("\\s+")) {
            if (word.startsWith(field + "=")) {
                return word.substring(field.length() + 1);
            }
        }
        return "";
    }

    /** The pids {@code scontrol listpids} gives for a running job. */
    List<Integer> listpids(String job) {
        List<Integer> pids = new ArrayList<>();
        for (String line : run("scontrol", "listpids", job).lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 1 && f[0].matches("\\d+")) {
                pids.add(Integer.parseInt(f[0]));
            }
        }
        return pids;
    }

    /** The node's state as {@code sinfo} gives it: idle, alloc, mix, drain… */
    String nodeState() {
        return run("sinfo", "-h", "-n", host, "-o", "%t").strip();
    }

    /** Runs a command to its end; its output, or an error naming its exit status and output. */
    static String run(String... command) {
        return run(Map.of(), command);
    }

    static String run(Map<String, String> env, String... command) {
        return Commands.run(env, Duration.ofSeconds(60), command);
    }

    private static int runStatus(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        runStatus(List.of("scancel", "--user=root"));
        for (Process daemon : daemons.reversed()) {
            daemon.destroy();
        }
        for (Process daemon : daemons) {
            try {
                if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
