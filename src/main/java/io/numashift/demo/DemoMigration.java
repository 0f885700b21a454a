package io.numashift.demo;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.sim.SimulatedCluster;
import io.numashift.sim.SimulatedHost;
import java.io.PrintStream;
import java.util.List;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Loads the bundled demo cluster and moves the memory of the batch job in cpuset {@code
 * /batch/job42} on host {@code n001} from nodes 0 and 1 to nodes 2 and 3, printing progress and
 * each process's result. {@code --dry-run} plans the same migration without moving anything.
 */
@Component
class DemoMigration implements ApplicationRunner {
    static final String HOST = "n001";
    static final String CPUSET = "/batch/job42";
    static final List<Integer> OLD_NODES = List.of(0, 1);
    static final List<Integer> NEW_NODES = List.of(2, 3);

    private final PrintStream out;

    DemoMigration() {
        this(System.out);
    }

    DemoMigration(PrintStream out) {
        this.out = out;
    }

    @Override
    public void run(ApplicationArguments args) {
        run(args.containsOption("dry-run"));
    }

    List<MigrationResult> run(boolean dryRun) {
        SimulatedHost host = SimulatedCluster.demo().host(HOST).orElseThrow();
        List<Integer> pids = host.pidsInCpuset(CPUSET);
        out.printf(
                "%s on %s: moving processes %s of cpuset %s from nodes %s to %s%n",
                dryRun ? "Dry run" : "Migration", HOST, pids, CPUSET, OLD_NODES, NEW_NODES);
        MigrationRequest template =
                MigrationRequest.of(0, OLD_NODES, NEW_NODES).withOptions(MigrationOptions.DEFAULTS.withDryRun(dryRun));
        List<MigrationResult> results = new MigrationEngine(host).migrateAll(pids, template, new Progress());
        JsonMapper json =
                JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        for (MigrationResult result : results) {
            out.println(json.writeValueAsString(result));
        }
        return results;
    }

    /** Prints a line at every tenth of a process's pages. */
    private final class Progress implements MigrationMonitor {
        private long lastTenth = -1;

        @Override
        public void progress(int pid, long pagesDone, long pagesToMove) {
            long tenth = pagesToMove == 0 ? 10 : pagesDone * 10 / pagesToMove;
            if (pagesDone == 0) {
                lastTenth = -1;
            }
            if (tenth != lastTenth) {
                lastTenth = tenth;
                out.printf("  pid %d: %d of %d pages%n", pid, pagesDone, pagesToMove);
            }
        }
    }
}
