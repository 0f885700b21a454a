package io.numashift.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.MigrationStatus;
import io.numashift.core.Verify;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.Vma;
import io.numashift.testing.CPrograms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux backend's lanes on this machine's kernel, against a real process ({@code
 * src/test/c/numa_workload.c}) with memory that spans many lanes' rounds: the answers of census,
 * digest and moves do not depend on how many lanes there are, and a quota stops the moves at
 * exactly the same page as one thread would. This machine has one node, so the moves are node 0
 * to node 0 (the kernel reports each page on its target, which is what a move looks like); moves
 * between nodes in parallel are tested in the multi-node guests.
 */
class LinuxBackendLanesTest {
    /** Private pages of the workload: 7 of each 8 are written, over 12 rounds of 3 lanes. */
    private static final long PAGES = 150_000;

    @TempDir
    Path dir;

    private Process workload;
    private long privateStart;

    @BeforeEach
    void startWorkload() throws IOException {
        Path binary = CPrograms.build("numa_workload", "-pthread", "-static");
        workload = new ProcessBuilder(
                        binary.toAbsolutePath().toString(), dir.toString(), "--private", Long.toString(PAGES))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output").toFile())
                .start();
        Path layout = dir.resolve("layout");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(layout) && Files.readString(layout).contains("ready"));
        for (String line : Files.readAllLines(layout)) {
            String[] f = line.split(" ");
            if (f[0].equals("private")) {
                privateStart = Long.decode(f[1]);
            }
        }
    }

    @AfterEach
    void stopWorkload() throws InterruptedException {
        workload.destroyForcibly().waitFor();
    }

    @Test
    void aCensusAndADigestAreTheSameWithOneLaneAndWithThree() {
        LinuxBackend one = LinuxBackend.open("this-host", 1);
        LinuxBackend three = LinuxBackend.open("this-host", 3);
        assertThat(three.lanes()).isEqualTo(3);
        Vma vma = privateVma(one);

        Census byOne = census(one, vma);
        Census byThree = census(three, vma);

        long written = PAGES - PAGES / 8;
        assertThat(byThree.onNode[0]).isEqualTo(byOne.onNode[0]).isEqualTo(written);
        assertThat(byThree.notPresent).isEqualTo(byOne.notPresent).isEqualTo(PAGES - written);
        assertThat(byThree.resident.count()).isEqualTo(written);
        for (long page = first(vma); page < end(vma); page++) {
            assertThat(byThree.resident.get(page)).isEqualTo(byOne.resident.get(page));
        }
        long digest = one.digest(pid(), vma, first(vma), end(vma), byOne.resident);
        assertThat(three.digest(pid(), vma, first(vma), end(vma), byOne.resident))
                .isEqualTo(digest);
        // A digest over another set of pages is another digest.
        PageSet fewer = census(one, vma).resident;
        fewer.clear(first(vma) + PAGES / 2);
        assertThat(three.digest(pid(), vma, first(vma), end(vma), fewer)).isNotEqualTo(digest);
    }

    @Test
    void aQuotaStopsTheParallelMovesAtThePageOneThreadWouldStopAt() throws IOException {
        LinuxBackend backend = LinuxBackend.open("this-host", 3);
        Vma vma = privateVma(backend);
        PageSet pending = census(backend, vma).pending;
        long quota = 50_000;
        // The page after the 50,000th pending page: where one thread, page by page, stops.
        long expectedStop = -1;
        long seen = 0;
        for (long page = first(vma); page < end(vma) && expectedStop < 0; page++) {
            if (pending.get(page) && ++seen == quota) {
                expectedStop = page + 1;
            }
        }
        MovePass pass = new MovePass(1, pending);
        pass.target[0] = 0;
        pass.quota[0] = quota;
        pass.log = new MoveLog();

        long stop = backend.movePass(pid(), vma, first(vma), end(vma), pass);

        assertThat(stop).isEqualTo(expectedStop);
        assertThat(pass.movedFrom[0]).isEqualTo(quota);
        assertThat(pass.quota[0]).isZero();
        long logged = 0;
        for (int i = 0; i < pass.log.size(); i++) {
            logged += pass.log.count(i);
            assertThat(pass.log.page(i)).isLessThan(expectedStop);
        }
        assertThat(logged).isEqualTo(quota);
        long written = PAGES - PAGES / 8;
        assertThat(pending.count()).isEqualTo(written - quota);

        pass.resetCall();
        pass.quota[0] = Long.MAX_VALUE;
        assertThat(backend.movePass(pid(), vma, stop, end(vma), pass)).isEqualTo(end(vma));
        assertThat(pass.movedFrom[0]).isEqualTo(written - quota);
        assertThat(pending.count()).isZero();
        assertThat(report()).contains("verify OK");
    }

    @Test
    void aWholeMigrationReadsTheSameProcessWithOneLaneAndWithFour() throws IOException {
        MigrationRequest request = MigrationRequest.of(pid(), List.of(0), List.of(0))
                .withOptions(MigrationOptions.DEFAULTS.withVerify(Verify.CONTENT));

        // Node 0 to node 0 moves nothing (the process is where it should be) but reads it all. The
        // workload wakes every millisecond, which changes a page of its own now and then: stopped,
        // it changes nothing, and every digest of it is the same.
        signal("-STOP");
        MigrationResult byOne = new MigrationEngine(LinuxBackend.open("this-host", 1)).migrate(request);
        MigrationResult byFour = new MigrationEngine(LinuxBackend.open("this-host", 4)).migrate(request);

        assertThat(byFour.status()).isEqualTo(byOne.status()).isEqualTo(MigrationStatus.SUCCEEDED);
        assertThat(byFour.contentDigestBefore())
                .isEqualTo(byFour.contentDigestAfter())
                .isEqualTo(byOne.contentDigestBefore());
        assertThat(byFour.placementBefore()).isEqualTo(byOne.placementBefore());
        assertThat(byFour.placementBefore().get(0)).isGreaterThanOrEqualTo(PAGES - PAGES / 8);
        signal("-CONT");
        assertThat(report()).contains("verify OK");
    }

    @Test
    void lanesAreOneToSixtyFour() {
        assertThat(Lanes.defaultCount(1)).isEqualTo(1);
        assertThat(Lanes.defaultCount(2)).isEqualTo(2);
        assertThat(Lanes.defaultCount(256)).isEqualTo(Lanes.DEFAULT_MAX);
        assertThat(LinuxBackend.defaultLanes()).isBetween(1, Lanes.DEFAULT_MAX);
        assertThatThrownBy(() -> LinuxBackend.open("this-host", 0)).hasMessageContaining("lanes must be 1 to 64");
        assertThatThrownBy(() -> LinuxBackend.open("this-host", 65)).hasMessageContaining("lanes must be 1 to 64");
    }

    private Census census(LinuxBackend backend, Vma vma) {
        long pages = vma.pages(4096);
        Census census = new Census(1, new boolean[] {true}, new PageSet(pages), new PageSet(pages), null);
        backend.census(pid(), vma, first(vma), end(vma), census);
        return census;
    }

    /** The workload's first private page, as a page index of its VMA (which may hold more). */
    private long first(Vma vma) {
        return (privateStart - vma.start()) / 4096;
    }

    private long end(Vma vma) {
        return first(vma) + PAGES;
    }

    private Vma privateVma(LinuxBackend backend) {
        return backend.vmas(pid()).stream()
                .filter(v -> v.start() <= privateStart && privateStart < v.end())
                .findFirst()
                .orElseThrow();
    }

    private void signal(String signal) throws IOException {
        try {
            new ProcessBuilder("kill", signal, Long.toString(workload.pid()))
                    .start()
                    .waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private int pid() {
        return (int) workload.pid();
    }

    /** Has the workload check its memory (SIGUSR1) and answers what it wrote. */
    private String report() throws IOException {
        signal("-USR1");
        Path report = dir.resolve("report-1");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(report) && Files.readString(report).contains("nodes"));
        return Files.readString(report);
    }
}
