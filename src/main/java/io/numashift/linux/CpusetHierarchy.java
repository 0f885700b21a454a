package io.numashift.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the host keeps its cpusets: the cgroup v1 hierarchy of the {@code cpuset} controller
 * ({@code /sys/fs/cgroup/cpuset}, files {@code cpuset.mems} and {@code cpuset.cpus}) or the unified
 * cgroup v2 hierarchy ({@code /sys/fs/cgroup}, files {@code cpuset.mems.effective} and {@code
 * cpuset.cpus.effective}). A cpuset's path is its cgroup path, e.g. {@code /batch/job42}.
 *
 * @param root the mount point of the hierarchy
 * @param version which cgroup version it is
 */
record CpusetHierarchy(Path root, Version version) {

    /** The cgroup version of a hierarchy. */
    enum Version {
        V1,
        V2
    }

    /**
     * The hierarchy of the mount table: a cgroup v1 mount with the {@code cpuset} controller if
     * there is one (a controller is on one hierarchy only), else the cgroup v2 mount.
     */
    static CpusetHierarchy detect(List<Mount> mounts) {
        for (Mount mount : mounts) {
            if (mount.fsType().equals("cgroup") && mount.superOptions().contains("cpuset")) {
                return new CpusetHierarchy(mount.mountPoint(), Version.V1);
            }
        }
        Path unified = Path.of("/sys/fs/cgroup");
        for (Mount mount : mounts) {
            if (mount.fsType().equals("cgroup2")) {
                unified = mount.mountPoint();
                if (unified.equals(Path.of("/sys/fs/cgroup"))) {
                    break;
                }
            }
        }
        return new CpusetHierarchy(unified, Version.V2);
    }

    /** The cgroup directory of a cpuset path, if it exists; paths with {@code .} or {@code ..} have none. */
    Optional<Path> directory(String path) {
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        Path dir = root;
        for (String part : path.substring(1).split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals(".") || part.equals("..")) {
                return Optional.empty();
            }
            dir = dir.resolve(part);
        }
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * The file that lists a cpuset's memory nodes. In cgroup v2 a cgroup without the controller
     * enabled has none: the nearest ancestor's applies, and {@code orElse} all nodes of the host.
     */
    Optional<Path> memsFile(Path directory) {
        return controlFile(directory, version == Version.V1 ? "cpuset.mems" : "cpuset.mems.effective");
    }

    /**
     * Whether the kernel moves the memory of a process that enters the cgroup at this directory
     * onto its nodes: always in cgroup v2, in v1 when the cpuset's {@code cpuset.memory_migrate}
     * is set.
     */
    boolean movesMemoryOnEntry(Path directory) {
        if (version == Version.V2) {
            return true;
        }
        try {
            return Files.readString(directory.resolve("cpuset.memory_migrate"))
                    .strip()
                    .equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    /** The file that lists a cpuset's CPUs, found as {@link #memsFile}. */
    Optional<Path> cpusFile(Path directory) {
        return controlFile(directory, version == Version.V1 ? "cpuset.cpus" : "cpuset.cpus.effective");
    }

    private Optional<Path> controlFile(Path directory, String name) {
        for (Path dir = directory; dir != null && dir.startsWith(root); dir = dir.getParent()) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                return Optional.of(file);
            }
            if (version == Version.V1) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * The cpuset path of a process from the lines of its {@code /proc/<pid>/cgroup}: the line of
     * the {@code cpuset} controller (v1, {@code 3:cpuset:/batch}) or of the unified hierarchy (v2,
     * {@code 0::/batch}).
     */
    Optional<String> cpusetOf(List<String> procCgroupLines) {
        for (String line : procCgroupLines) {
            String[] fields = line.split(":", 3);
            if (fields.length < 3) {
                continue;
            }
            boolean match = version == Version.V1
                    ? List.of(fields[1].split(",")).contains("cpuset")
                    : fields[0].equals("0") && fields[1].isEmpty();
            if (match) {
                return Optional.of(fields[2]);
            }
        }
        return Optional.empty();
    }
}
