package io.numashift.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmarks on a real kernel share: the test workload ({@code src/test/c/numa_workload.c})
 * started and waited for, {@code migratepages}, and medians.
 */
final class WorkloadProcess {
    private WorkloadProcess() {}

    /**
     * Starts {@code command} (the workload, perhaps under {@code numactl}), whose folder is {@code
     * dir}, and waits until its memory is written; its output goes to {@code dir/workload.log}.
     */
    static Process start(Path dir, List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("workload.log").toFile())
                .start();
        Path layout = dir.resolve("layout");
        while (!Files.exists(layout) || !Files.readString(layout).contains("ready")) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the workload exited: see " + dir.resolve("workload.log"));
            }
            Thread.sleep(50);
        }
        return process;
    }

    /** Runs {@code migratepages PID FROM TO} and answers its wall time in nanoseconds. */
    static long migratepages(int pid, int from, int to) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process command = new ProcessBuilder(
                        "migratepages", Integer.toString(pid), Integer.toString(from), Integer.toString(to))
                .inheritIO()
                .start();
        if (!command.waitFor(10, TimeUnit.MINUTES) || command.exitValue() != 0) {
            throw new IllegalStateException("migratepages " + pid + " " + from + " " + to + " failed");
        }
        return System.nanoTime() - start;
    }

    /** The pages of a process on a node, as its {@code numa_maps} counts them. */
    static long onNode(int pid, int node) throws IOException {
        long pages = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/numa_maps"))) {
            for (String field : line.split(" ")) {
                if (field.startsWith("N" + node + "=")) {
                    pages += Long.parseLong(field.substring(field.indexOf('=') + 1));
                }
            }
        }
        return pages;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
