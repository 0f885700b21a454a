package io.numashift.sim;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Cpuset;
import io.numashift.core.backend.Errno;
import io.numashift.core.backend.FileInfo;
import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.Vma;
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.FileSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.SharedObjectSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The scenario's rules of a simulated host: what its spec may declare (nodes, cpusets, files with
 * their {@code migrate} attribute, shared objects, processes with their VMAs, policies and pinned
 * pages), checked as the host is built with a {@link ScenarioException} that names the host,
 * process and field that break a rule; and, once built, what the host has and what it refuses,
 * with the errno a kernel would give ({@code ESRCH}, {@code EFAULT}, {@code EINVAL}).
 *
 * <p>Not thread-safe: the host calls it under its lock.
 */
final class HostRules {
    private static final int MAX_NODE_ID = 255;

    private final String hostName;
    private final SimulatedMemory memory;
    final Map<String, Cpuset> cpusets = new LinkedHashMap<>();
    final Map<String, FileInfo> files = new HashMap<>();
    final Map<String, MemoryObject> sharedObjects = new LinkedHashMap<>();
    final TreeMap<Integer, SimProcess> processes = new TreeMap<>();

    /**
     * Checks what a spec says of the host itself and its nodes, before its memory exists; returns
     * the CPUs of its nodes.
     */
    static Set<Integer> checkHost(HostSpec spec) {
        String where = "host " + spec.name() + ": ";
        if (spec.name().isBlank()) {
            throw new ScenarioException("host: name must not be empty");
        }
        if (spec.pageSize() <= 0 || Integer.bitCount(spec.pageSize()) != 1) {
            throw new ScenarioException(where + "pageSize: " + spec.pageSize() + " is not a power of two");
        }
        if (spec.pagesPerSecond() < 0) {
            throw new ScenarioException(where + "pagesPerSecond: must not be negative");
        }
        if (spec.microsPerPage() < 0) {
            throw new ScenarioException(where + "costProfile.microsPerPage: must not be negative");
        }
        if (spec.nodes().isEmpty()) {
            throw new ScenarioException(where + "nodes: a host needs at least one node");
        }
        Set<Integer> ids = new HashSet<>();
        Set<Integer> cpus = new HashSet<>();
        for (int i = 0; i < spec.nodes().size(); i++) {
            NodeSpec node = spec.nodes().get(i);
            String field = where + "nodes[" + i + "]";
            if (node.id() < 0 || node.id() > MAX_NODE_ID) {
                throw new ScenarioException(field + ".id: " + node.id() + " is outside 0.." + MAX_NODE_ID);
            }
            if (!ids.add(node.id())) {
                throw new ScenarioException(field + ".id: node " + node.id() + " is declared twice");
            }
            if (node.capacityPages() < 0) {
                throw new ScenarioException(field + ".capacityPages: must not be negative");
            }
            for (int cpu : node.cpus()) {
                if (cpu < 0 || !cpus.add(cpu)) {
                    throw new ScenarioException(field + ".cpus: CPU " + cpu + " is negative or on two nodes");
                }
            }
        }
        if (spec.distances() != null) {
            int size = spec.nodes().size();
            if (spec.distances().size() != size || spec.distances().stream().anyMatch(row -> row.size() != size)) {
                throw new ScenarioException(where + "distances: must be a " + size + "x" + size + " matrix");
            }
            if (spec.distances().stream().flatMap(List::stream).anyMatch(d -> d == null || d <= 0)) {
                throw new ScenarioException(where + "distances: every distance must be positive");
            }
        }
        return cpus;
    }

    /**
     * Declares the cpusets, files, shared objects and processes of a spec that passed {@link
     * #checkHost}, laying their pages out in {@code memory}, and checks that no node holds more
     * pages than its capacity.
     */
    HostRules(HostSpec spec, SimulatedMemory memory, Set<Integer> cpus) {
        this.hostName = spec.name();
        this.memory = memory;
        String where = "host " + spec.name() + ": ";
        for (int i = 0; i < spec.cpusets().size(); i++) {
            CpusetSpec cpuset = spec.cpusets().get(i);
            String field = where + "cpusets[" + i + "]";
            if (cpusets.containsKey(cpuset.path())) {
                throw new ScenarioException(field + ".path: cpuset " + cpuset.path() + " is declared twice");
            }
            requireNodes(field + ".mems", cpuset.mems());
            for (int cpu : cpuset.cpus()) {
                if (!cpus.contains(cpu)) {
                    throw new ScenarioException(field + ".cpus: CPU " + cpu + " does not exist");
                }
            }
            cpusets.put(cpuset.path(), new Cpuset(cpuset.path(), cpuset.mems(), cpuset.cpus()));
        }
        for (int i = 0; i < spec.files().size(); i++) {
            FileSpec file = spec.files().get(i);
            String migrate = file.migrate();
            if (migrate != null && !migrate.equals("none") && !migrate.equals("lib")) {
                throw new ScenarioException(where + "files[" + i + "].migrate: expected none or lib, got " + migrate);
            }
            files.put(file.path(), new FileInfo(file.path(), migrate, file.nfs()));
        }
        for (int i = 0; i < spec.sharedObjects().size(); i++) {
            SharedObjectSpec object = spec.sharedObjects().get(i);
            String field = where + "sharedObjects[" + i + "] (" + object.name() + ")";
            if (sharedObjects.containsKey(object.name())) {
                throw new ScenarioException(field + ".name: declared twice");
            }
            if (object.pages() <= 0) {
                throw new ScenarioException(field + ".pages: must be positive");
            }
            checkPlacement(field + ".placement", object.pages(), object.placement());
            MemoryObject pages = memory.newObject(object.pages(), object.name());
            memory.lay(pages, object.placement());
            sharedObjects.put(object.name(), pages);
        }
        for (ProcessSpec process : spec.processes()) {
            addProcess(where, process, cpus);
        }
        for (NodeSpec node : memory.nodes) {
            if (memory.used[node.id()] > node.capacityPages()) {
                throw new ScenarioException(where + "node " + node.id() + ": " + memory.used[node.id()]
                        + " resident pages exceed its capacityPages " + node.capacityPages());
            }
        }
    }

    private void addProcess(String where, ProcessSpec spec, Set<Integer> cpus) {
        String field = where + "process " + spec.pid() + ": ";
        if (spec.pid() <= 0) {
            throw new ScenarioException(field + "pid: must be positive");
        }
        if (processes.containsKey(spec.pid())) {
            throw new ScenarioException(field + "pid: declared twice");
        }
        if (spec.cpuset() != null && !cpusets.containsKey(spec.cpuset())) {
            throw new ScenarioException(field + "cpuset: " + spec.cpuset() + " is not declared");
        }
        if (!cpus.contains(spec.cpu())) {
            throw new ScenarioException(field + "cpu: CPU " + spec.cpu() + " does not exist");
        }
        requireNodes(field + "policy.nodes", spec.policy().nodes());
        if (spec.allocatePagesPerStep() < 0) {
            throw new ScenarioException(field + "allocatePagesPerStep: must not be negative");
        }
        SimProcess process = new SimProcess(spec);
        List<VmaSpec> vmas = spec.vmas().stream()
                .sorted(Comparator.comparingLong(VmaSpec::start))
                .toList();
        for (VmaSpec vma : vmas) {
            int index = spec.vmas().indexOf(vma);
            String vmaField = field + "vmas[" + index + "].";
            if (vma.start() < 0 || vma.start() % memory.pageSize != 0) {
                throw new ScenarioException(vmaField + "start: 0x" + Long.toHexString(vma.start())
                        + " is not aligned to the page size " + memory.pageSize);
            }
            if (vma.pages() <= 0) {
                throw new ScenarioException(vmaField + "pages: must be positive");
            }
            if (vma.perms().length() != 3 || !vma.perms().matches("[r-][w-][x-]")) {
                throw new ScenarioException(
                        vmaField + "perms: expected three characters like rw- or r-x, got " + vma.perms());
            }
            if (vma.pinned() < 0) {
                throw new ScenarioException(vmaField + "pinned: must not be negative");
            }
            if (vma.policy() != null) {
                requireNodes(vmaField + "policy.nodes", vma.policy().nodes());
            }
            if (!process.vmas.isEmpty()) {
                SimVma last = process.vmas.getLast();
                if (vma.start() < last.end(memory.pageSize)) {
                    throw new ScenarioException(
                            vmaField + "start: overlaps the VMA at 0x" + Long.toHexString(last.start));
                }
            }
            MemoryObject object;
            long resident;
            if (vma.shared() != null) {
                object = sharedObjects.get(vma.shared());
                if (object == null) {
                    throw new ScenarioException(vmaField + "shared: " + vma.shared() + " is not declared");
                }
                if (!vma.placement().isEmpty()) {
                    throw new ScenarioException(vmaField + "placement: a shared VMA has the placement of its object");
                }
                if (vma.pages() > object.placement.pages()) {
                    throw new ScenarioException(vmaField + "pages: larger than the shared object " + vma.shared());
                }
                resident = object.allocCursor;
            } else {
                checkPlacement(vmaField + "placement", vma.pages(), vma.placement());
                object = memory.newObject(vma.pages(), spec.pid() + "@" + vma.start());
                resident = memory.lay(object, vma.placement());
            }
            if (vma.pinned() > Math.min(resident, vma.pages())) {
                throw new ScenarioException(
                        vmaField + "pinned: " + vma.pinned() + " exceeds the " + resident + " resident pages");
            }
            object.pinnedUpTo = Math.max(object.pinnedUpTo, vma.pinned());
            process.vmas.add(new SimVma(
                    vma.start(), vma.pages(), vma.perms(), vma.file(), vma.shared(), object, 0, vma.policy()));
        }
        processes.put(spec.pid(), process);
    }

    /** Checks a placement before it is laid out from page 0 in node order. */
    private void checkPlacement(String field, long pages, Map<Integer, Long> placement) {
        long page = 0;
        for (var entry : new TreeMap<>(placement).entrySet()) {
            int node = entry.getKey();
            long count = entry.getValue();
            if (!memory.hasNode(node)) {
                throw new ScenarioException(field + ": node " + node + " does not exist");
            }
            if (count < 0) {
                throw new ScenarioException(field + ": a negative page count for node " + node);
            }
            if (page + count > pages) {
                throw new ScenarioException(
                        field + ": " + (page + count) + " resident pages exceed the " + pages + " pages");
            }
            page += count;
        }
    }

    private void requireNodes(String field, List<Integer> ids) {
        for (int id : ids) {
            if (!memory.hasNode(id)) {
                throw new ScenarioException(field + ": node " + id + " does not exist");
            }
        }
    }

    // ---- what the host refuses once built ----

    /** Refuses a cpuset the host does not have. */
    void requireCpuset(String path) {
        if (!cpusets.containsKey(path)) {
            throw new BackendException(Errno.EINVAL, "cpuset " + path + " does not exist on host " + hostName);
        }
    }

    /** Refuses a CPU that no node of the host has. */
    void requireCpu(int cpu) {
        if (memory.nodes.stream().noneMatch(n -> n.cpus().contains(cpu))) {
            throw new BackendException(Errno.EINVAL, "CPU " + cpu + " does not exist on host " + hostName);
        }
    }

    /** The process, or {@code ESRCH} naming the operation. */
    SimProcess process(int pid, String operation) {
        SimProcess process = processes.get(pid);
        if (process == null) {
            throw new BackendException(Errno.ESRCH, operation + ": no process " + pid + " on host " + hostName);
        }
        return process;
    }

    /** The VMA of a process that starts where {@code vma} does, or {@code EFAULT}. */
    SimVma vma(int pid, Vma vma) {
        for (SimVma v : process(pid, "vma").vmas) {
            if (v.start == vma.start()) {
                return v;
            }
        }
        throw new BackendException(
                Errno.EFAULT, "process " + pid + " has no VMA at 0x" + Long.toHexString(vma.start()));
    }

    /** The VMA of a process that holds an address (for tests and benchmarks). */
    SimVma vmaAt(int pid, long address) {
        for (SimVma v : process(pid, "vmaAt").vmas) {
            if (address >= v.start && address < v.end(memory.pageSize)) {
                return v;
            }
        }
        throw new IllegalArgumentException("process " + pid + " maps nothing at 0x" + Long.toHexString(address));
    }

    /** Refuses a policy that names a node the host does not have. */
    void requireNodesExist(MemoryPolicy policy) {
        for (int node : policy.nodes()) {
            if (!memory.hasNode(node)) {
                throw new BackendException(Errno.EINVAL, "node " + node + " does not exist on host " + hostName);
            }
        }
    }
}
