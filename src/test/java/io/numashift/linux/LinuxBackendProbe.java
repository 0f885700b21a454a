package io.numashift.linux;

import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.Vma;
import java.util.List;

/**
 * The Linux backend seen from a JVM of its own, for tests that need another user or other JVM
 * flags than the test JVM's. Prints one line per thing it tried.
 *
 * <ul>
 *   <li>{@code open}: opens the backend; prints {@code opened} or {@code refused: <message>};
 *   <li>{@code migrate PID ADDRESS}: migrates PID from node 0 to node 0 with the engine, reads
 *       where the page at ADDRESS is, and stops the process; prints each outcome's errno.
 * </ul>
 */
final class LinuxBackendProbe {
    private LinuxBackendProbe() {}

    public static void main(String[] args) {
        switch (args[0]) {
            case "open" -> {
                try {
                    LinuxBackend.open("probe");
                    System.out.println("opened");
                } catch (UnsupportedOperationException e) {
                    System.out.println("refused: " + e.getMessage());
                }
            }
            case "migrate" -> migrate(Integer.parseInt(args[1]), Long.parseLong(args[2]));
            default -> throw new IllegalArgumentException("unknown probe " + args[0]);
        }
    }

    private static void migrate(int pid, long address) {
        LinuxBackend backend = LinuxBackend.open("probe");
        MigrationResult result = new MigrationEngine(backend).migrate(MigrationRequest.of(pid, List.of(0), List.of(0)));
        System.out.println("migration " + result.status() + " " + result.errno());
        int pageSize = backend.topology().pageSize();
        Vma page = new Vma(address, address + pageSize, "rw-", null, null, 0, null);
        try {
            backend.census(pid, page, 0, 1, new Census(1, null, null, null, null));
            System.out.println("census allowed");
        } catch (BackendException e) {
            System.out.println("census " + e.errno());
        }
        try {
            backend.stop(pid);
            System.out.println("stop allowed");
        } catch (BackendException e) {
            System.out.println("stop " + e.errno());
        }
    }
}
