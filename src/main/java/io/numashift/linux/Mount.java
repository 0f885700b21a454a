package io.numashift.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One line of {@code /proc/self/mountinfo}: where a file system is mounted and its type.
 *
 * @param mountPoint the mount point
 * @param fsType the file-system type, e.g. {@code tmpfs}, {@code nfs4}, {@code cgroup2}
 * @param superOptions the per-superblock options (for a cgroup v1 mount, its controllers)
 */
record Mount(Path mountPoint, String fsType, Set<String> superOptions) {
    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    Mount {
        superOptions = Set.copyOf(superOptions);
    }

    /** The mount table of this process's mount namespace. */
    static List<Mount> readAll() {
        try {
            return Files.readAllLines(MOUNTINFO).stream().map(Mount::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
    }

    /**
     * Parses {@code id parent major:minor root mountPoint options [optional fields] - fsType source
     * superOptions}.
     */
    static Mount parse(String line) {
        String[] fields = line.split(" ");
        int separator = List.of(fields).indexOf("-");
        if (separator < 6 || separator + 3 > fields.length) {
            throw new IllegalArgumentException("not a mountinfo line: " + line);
        }
        String superOptions = separator + 3 < fields.length ? fields[separator + 3] : "";
        return new Mount(
                Path.of(unescape(fields[4])), fields[separator + 1], Set.copyOf(List.of(superOptions.split(","))));
    }

    /** The mount that holds a path: the one with the longest mount point that is a prefix of it. */
    static Optional<Mount> containing(List<Mount> mounts, Path path) {
        Mount best = null;
        for (Mount mount : mounts) {
            // Later lines mount over earlier ones at the same point.
            if (path.startsWith(mount.mountPoint())
                    && (best == null
                            || mount.mountPoint().getNameCount()
                                    >= best.mountPoint().getNameCount())) {
                best = mount;
            }
        }
        return Optional.ofNullable(best);
    }

    boolean nfs() {
        return fsType.equals("nfs") || fsType.equals("nfs4");
    }

    /** Undoes the octal escapes ({@code \040} for a space) of mountinfo paths. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
