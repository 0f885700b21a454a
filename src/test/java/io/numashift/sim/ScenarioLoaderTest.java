package io.numashift.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PolicyMode;
import io.numashift.sim.HostSpec.CpusetSpec;
import io.numashift.sim.HostSpec.FileSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.SharedObjectSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioLoaderTest {

    /** A valid host with one process; tests replace one line of it to break one rule. */
    private static final String ONE_PROCESS = """
            hosts:
              - name: n001
                nodes:
                  - {id: 0, capacityPages: 1000, cpus: [0]}
                  - {id: 1, capacityPages: 1000, cpus: [1]}
                files:
                  - {path: /data/a.dat}
                processes:
                  - pid: 4241
                    vmas: []
                  - pid: 4242
                    state: running
                    policy: {mode: BIND, nodes: [0, 1]}
                    vmas:
                      - {start: 0x400000, pages: 16, perms: r-x}
                      - {start: 0x600000, pages: 4, perms: rw-}
                      - {start: 0x10000000, pages: 100, perms: rw-, placement: {0: 60, 1: 30}}
            """;

    /** The example of docs/scenario.md §1, which shows every field. */
    @Test
    void parsesTheDocumentedExampleIntoTheSpecsItDescribes() throws Exception {
        List<HostSpec> hosts = ScenarioLoader.parse(ScenarioDocumentTest.firstExample(), "example.yaml");

        HostSpec expected = new HostSpec(
                "n001",
                4096,
                0,
                1.2,
                List.of(
                        new NodeSpec(0, 4096, List.of(0, 1)),
                        new NodeSpec(1, 4096, List.of(2, 3)),
                        new NodeSpec(2, 4096, List.of())),
                List.of(List.of(10, 20, 30), List.of(20, 10, 30), List.of(30, 30, 10)),
                List.of(new CpusetSpec("/batch/job42", List.of(0, 1), List.of(0, 1, 2, 3))),
                List.of(
                        new FileSpec("/usr/lib/libsolver.so", "lib", false),
                        new FileSpec("/data/lookup.tbl", "none", false),
                        new FileSpec("/home/u/input.dat", "none", true)),
                List.of(
                        new SharedObjectSpec("shm:/mpi-window", 64, Map.of(1, 64L)),
                        new SharedObjectSpec("file:/data/lookup.tbl", 32, Map.of(0, 32L))),
                List.of(
                        new ProcessSpec(
                                4242,
                                1000,
                                "solver",
                                "/batch/job42",
                                0,
                                false,
                                new MemoryPolicy(PolicyMode.BIND, List.of(0, 1)),
                                0,
                                List.of(
                                        new VmaSpec(
                                                0x400000,
                                                16,
                                                "r-x",
                                                "/usr/lib/libsolver.so",
                                                null,
                                                Map.of(0, 16L),
                                                0,
                                                null),
                                        new VmaSpec(
                                                0x600000,
                                                4,
                                                "rw-",
                                                "/usr/lib/libsolver.so",
                                                null,
                                                Map.of(0, 4L),
                                                0,
                                                null),
                                        new VmaSpec(
                                                0x10000000, 1000, "rw-", null, null, Map.of(0, 600L, 1, 300L), 0, null),
                                        new VmaSpec(0x20000000, 64, "rw-", null, "shm:/mpi-window", Map.of(), 0, null),
                                        new VmaSpec(
                                                0x30000000,
                                                32,
                                                "r--",
                                                null,
                                                "file:/data/lookup.tbl",
                                                Map.of(),
                                                0,
                                                null),
                                        new VmaSpec(
                                                0x40000000,
                                                10,
                                                "rw-",
                                                null,
                                                null,
                                                Map.of(1, 10L),
                                                2,
                                                new MemoryPolicy(PolicyMode.PREFERRED, List.of(1))),
                                        new VmaSpec(
                                                0x50000000,
                                                8,
                                                "r--",
                                                "/home/u/input.dat",
                                                null,
                                                Map.of(0, 8L),
                                                0,
                                                null))),
                        new ProcessSpec(
                                4300,
                                1000,
                                "mpi-monitor",
                                null,
                                2,
                                false,
                                MemoryPolicy.DEFAULT,
                                0,
                                List.of(
                                        new VmaSpec(0x20000000, 64, "r--", null, "shm:/mpi-window", Map.of(), 0, null),
                                        new VmaSpec(0x10000000, 256, "rw-", null, null, Map.of(1, 200L), 0, null)))));
        assertThat(hosts).containsExactly(expected);
    }

    @Test
    void appliesTheDefaultsOfEveryOptionalField() {
        HostSpec host = ScenarioLoader.parse("""
                        hosts:
                          - name: n001
                            nodes: [{id: 0, capacityPages: 10}]
                            files: [{path: /data/a.dat}]
                            processes:
                              - pid: 7
                                vmas: [{start: 4096, pages: 2, perms: rw-}]
                        """, "defaults.yaml").getFirst();

        assertThat(host.pageSize()).isEqualTo(4096);
        assertThat(host.pagesPerSecond()).isZero();
        assertThat(host.microsPerPage()).isEqualTo(1.2);
        assertThat(host.nodes()).containsExactly(new NodeSpec(0, 10, List.of()));
        assertThat(host.distances()).isNull();
        assertThat(host.cpusets()).isEmpty();
        assertThat(host.sharedObjects()).isEmpty();
        assertThat(host.files()).containsExactly(new FileSpec("/data/a.dat", null, false));
        assertThat(host.processes())
                .containsExactly(new ProcessSpec(
                        7,
                        0,
                        "",
                        null,
                        0,
                        false,
                        MemoryPolicy.DEFAULT,
                        0,
                        List.of(new VmaSpec(4096, 2, "rw-", null, null, Map.of(), 0, null))));
    }

    @Test
    void readsAStoppedProcessAndALocalFile() {
        HostSpec host = ScenarioLoader.parse(
                        ONE_PROCESS
                                .replace("state: running", "state: stopped")
                                .replace("{path: /data/a.dat}", "{path: /data/a.dat, fs: local}"),
                        "demo.yaml")
                .getFirst();

        assertThat(host.processes().get(1).stopped()).isTrue();
        assertThat(host.files().getFirst().nfs()).isFalse();
    }

    @Test
    void acceptsAddressesAsYamlIntegersHexStringsAndDecimalStrings() {
        String yaml = ONE_PROCESS.replace("vmas: []", """
                vmas:
                          - {start: 0x7f0000000000, pages: 1, perms: rw-}
                          - {start: "0x7F0000100000", pages: 1, perms: rw-}
                          - {start: "8192", pages: 1, perms: rw-}
                          - {start: 4096, pages: 1, perms: rw-}
                          - {start: 0, pages: 1, perms: rw-}""");

        List<VmaSpec> vmas = ScenarioLoader.parse(yaml, "demo.yaml")
                .getFirst()
                .processes()
                .getFirst()
                .vmas();

        assertThat(vmas).extracting(VmaSpec::start).containsExactly(0x7f0000000000L, 0x7f0000100000L, 8192L, 4096L, 0L);
    }

    @Test
    void acceptsPlacementKeysWrittenAsStrings() {
        String yaml = ONE_PROCESS.replace("placement: {0: 60, 1: 30}", "placement: {\"0\": 60, \"1\": 30}");

        VmaSpec vma = ScenarioLoader.parse(yaml, "demo.yaml")
                .getFirst()
                .processes()
                .get(1)
                .vmas()
                .get(2);

        assertThat(vma.placement()).isEqualTo(Map.of(0, 60L, 1, 30L));
    }

    @Test
    void parsesJsonToo() {
        String json = """
                {"hosts": [{"name": "j1", "nodes": [{"id": 0, "capacityPages": 8}],
                  "processes": [{"pid": 3, "vmas": [{"start": "0x1000", "pages": 1, "perms": "rw-",
                  "placement": {"0": 1}}]}]}]}
                """;

        HostSpec host = ScenarioLoader.parse(json, "cluster.json").getFirst();

        assertThat(host.processes().getFirst().vmas().getFirst().placement()).isEqualTo(Map.of(0, 1L));
    }

    @Test
    void rejectsAMissingPidNamingHostProcessIndexAndField() {
        String yaml = ONE_PROCESS.replace("- pid: 4241", "- uid: 5");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: processes[0]: pid: required");
    }

    @Test
    void rejectsABadAddressNamingHostProcessAndField() {
        String yaml = ONE_PROCESS.replace("start: 0x10000000", "start: abc");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: process 4242: vmas[2].start: expected an address"
                        + " (hex string like 0x400000 or a number), got \"abc\"");
    }

    @Test
    void rejectsNegativeAndOversizedAddresses() {
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("start: 0x10000000", "start: -4096"), "d"))
                .hasMessage("d: host n001: process 4242: vmas[2].start: must not be negative, got -4096");
        assertThatThrownBy(() -> ScenarioLoader.parse(
                        ONE_PROCESS.replace("start: 0x10000000", "start: 0x8000000000000000"), "d"))
                .hasMessage("d: host n001: process 4242: vmas[2].start: does not fit in 64 bits: 9223372036854775808");
        assertThatThrownBy(() -> ScenarioLoader.parse(
                        ONE_PROCESS.replace("start: 0x10000000", "start: \"0x10000000000000000\""), "d"))
                .hasMessage("d: host n001: process 4242: vmas[2].start: expected an address below 2^63,"
                        + " got \"0x10000000000000000\"");
    }

    @Test
    void rejectsUnknownPolicyModeNamingHostProcessAndField() {
        String yaml = ONE_PROCESS.replace("mode: BIND", "mode: BOUND");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: process 4242: policy.mode: expected one of DEFAULT, BIND,"
                        + " INTERLEAVE, PREFERRED, got \"BOUND\"");
    }

    @Test
    void rejectsAPolicyThatMemoryPolicyRefusesNamingTheField() {
        String processPolicy = ONE_PROCESS.replace("{mode: BIND, nodes: [0, 1]}", "{mode: BIND}");
        String vmaPolicy = ONE_PROCESS.replace(
                "{start: 0x600000, pages: 4, perms: rw-}",
                "{start: 0x600000, pages: 4, perms: rw-, policy: {mode: PREFERRED, nodes: [0, 1]}}");

        assertThatThrownBy(() -> ScenarioLoader.parse(processPolicy, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: process 4242: policy: a BIND policy needs at least one node");
        assertThatThrownBy(() -> ScenarioLoader.parse(vmaPolicy, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: process 4242: vmas[1].policy: a PREFERRED policy names"
                        + " exactly one node");
    }

    @Test
    void rejectsAnUnknownKeyNamingHostProcessAndField() {
        String yaml = ONE_PROCESS.replace("{start: 0x600000,", "{strat: 0x600000,");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: process 4242: vmas[1].strat: unknown key; expected one of"
                        + " start, pages, perms, file, shared, placement, pinned, policy");
    }

    @Test
    void rejectsUnknownKeysAtTheTopAndInAHost() {
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("hosts:", "host:"), "demo.yaml"))
                .hasMessage("demo.yaml: host: unknown key; expected one of hosts");
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("files:", "file:"), "demo.yaml"))
                .hasMessageStartingWith("demo.yaml: host n001: file: unknown key; expected one of name, pageSize,");
        assertThatThrownBy(() -> ScenarioLoader.parse(
                        ONE_PROCESS.replace("{id: 0, capacityPages: 1000", "{id: 0, capacity: 1000"), "demo.yaml"))
                .hasMessage("demo.yaml: host n001: nodes[0].capacity: unknown key; expected one of id,"
                        + " capacityPages, cpus, removable");
    }

    @Test
    void aNodeMayBeRemovableAndTheFlagIsTrueOrFalse() {
        HostSpec host = ScenarioLoader.parse(
                        ONE_PROCESS.replace(
                                "{id: 0, capacityPages: 1000", "{id: 0, removable: true, capacityPages: 1000"),
                        "demo.yaml")
                .getFirst();

        assertThat(host.nodes().getFirst().removable()).isTrue();
        assertThat(host.nodes().get(1).removable()).isFalse();
        assertThatThrownBy(() -> ScenarioLoader.parse(
                        ONE_PROCESS.replace(
                                "{id: 0, capacityPages: 1000", "{id: 0, removable: yes2, capacityPages: 1000"),
                        "demo.yaml"))
                .hasMessage("demo.yaml: host n001: nodes[0].removable: expected true or false, got \"yes2\"");
    }

    @Test
    void rejectsAKeyWrittenTwice() {
        String yaml = ONE_PROCESS.replace("- pid: 4241", "- pid: 4241\n        pid: 4240");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("demo.yaml: not valid YAML:")
                .hasMessageContaining("pid");
    }

    @Test
    void rejectsNegativePagesNamingHostProcessAndField() {
        String yaml = ONE_PROCESS.replace("pages: 4,", "pages: -4,");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: process 4242: vmas[1].pages: must be positive, got -4");
    }

    @Test
    void rejectsNegativeNumbersWhereTheyMakeNoSense() {
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("{0: 60, 1: 30}", "{0: 60, 1: -30}"), "d"))
                .hasMessage("d: host n001: process 4242: vmas[2].placement.1: must not be negative, got -30");
        assertThatThrownBy(() ->
                        ScenarioLoader.parse(ONE_PROCESS.replace("capacityPages: 1000,", "capacityPages: -1,"), "d"))
                .hasMessage("d: host n001: nodes[0].capacityPages: must not be negative, got -1");
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("- pid: 4241", "- pid: -1"), "d"))
                .hasMessage("d: host n001: processes[0]: pid: must be positive, got -1");
        assertThatThrownBy(() -> ScenarioLoader.parse(
                        ONE_PROCESS.replace("state: running", "state: running\n        allocatePagesPerStep: -2"), "d"))
                .hasMessage("d: host n001: process 4242: allocatePagesPerStep: must not be negative, got -2");
        assertThatThrownBy(() -> ScenarioLoader.parse(
                        ONE_PROCESS.replace("name: n001", "name: n001\n    pagesPerSecond: -5"), "d"))
                .hasMessage("d: host n001: pagesPerSecond: must not be negative, got -5");
    }

    @Test
    void rejectsDuplicateHostNamesNamingTheHost() {
        String second = """
                  - name: n002
                    nodes: [{id: 0, capacityPages: 1}]
                  - name: n001
                    nodes: [{id: 0, capacityPages: 1}]
                """;

        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS + second, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: name: hosts[0] and hosts[2] have the same name; names must be"
                        + " unique");
    }

    @Test
    void rejectsAFileSystemOtherThanLocalOrNfs() {
        String yaml = ONE_PROCESS.replace("{path: /data/a.dat}", "{path: /data/a.dat, fs: cifs}");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: files[0].fs: expected one of local, nfs, got \"cifs\"");
    }

    @Test
    void rejectsAMigrateAttributeOtherThanNoneOrLib() {
        // YAML 1.1 reads a bare "no" as false, which is not an attribute value either.
        String yaml = ONE_PROCESS.replace("{path: /data/a.dat}", "{path: /data/a.dat, migrate: no}");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: files[0].migrate: expected one of none, lib, got false");
    }

    @Test
    void rejectsAStateOtherThanRunningOrStoppedNamingHostProcessAndField() {
        String yaml = ONE_PROCESS.replace("state: running", "state: sleeping");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("demo.yaml: host n001: process 4242: state: expected one of running, stopped, got"
                        + " \"sleeping\"");
    }

    @Test
    void rejectsPermsThatAreNotThreeCharacters() {
        String yaml = ONE_PROCESS.replace("perms: r-x", "perms: rwxp");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .hasMessage("demo.yaml: host n001: process 4242: vmas[0].perms: expected three characters like rw-"
                        + " or r-x, got \"rwxp\"");
    }

    @Test
    void rejectsAPlacementKeyThatIsNotANode() {
        String yaml = ONE_PROCESS.replace("{0: 60, 1: 30}", "{zero: 60}");

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .hasMessage("demo.yaml: host n001: process 4242: vmas[2].placement: expected node ids as keys"
                        + " (like {0: 600, 1: 300}), got \"zero\"");
    }

    @Test
    void namesAHostWithoutANameByItsIndex() {
        String yaml = ONE_PROCESS + """
                  - nodes: [{id: 0, capacityPages: 1}]
                """;

        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "demo.yaml"))
                .hasMessage("demo.yaml: hosts[1]: name: required");
    }

    @Test
    void rejectsTheWrongTypeNamingTheField() {
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("cpus: [0]", "cpus: 0"), "d"))
                .hasMessage("d: host n001: nodes[0].cpus: expected a list, got 0");
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("pages: 16", "pages: 1.5"), "d"))
                .hasMessage("d: host n001: process 4242: vmas[0].pages: expected an integer, got 1.5");
        assertThatThrownBy(() -> ScenarioLoader.parse(ONE_PROCESS.replace("name: n001", "name: [n001]"), "d"))
                .hasMessage("d: hosts[0]: name: expected a non-empty string, got a list");
    }

    @Test
    void rejectsAScenarioWithoutHostsOrNodes() {
        assertThatThrownBy(() -> ScenarioLoader.parse("", "empty.yaml"))
                .hasMessage("empty.yaml: the scenario is empty; expected a map with a list of hosts");
        assertThatThrownBy(() -> ScenarioLoader.parse("hosts: []", "d"))
                .hasMessage("d: hosts: expected at least one entry, got an empty list");
        assertThatThrownBy(() -> ScenarioLoader.parse("hosts:\n  - name: a\n", "d"))
                .hasMessage("d: host a: nodes: required");
        assertThatThrownBy(() -> ScenarioLoader.parse("hosts:\n  - {name: a, nodes: [{capacityPages: 1}]}", "d"))
                .hasMessage("d: host a: nodes[0].id: required");
        assertThatThrownBy(() -> ScenarioLoader.parse("hosts: [{name: a, nodes: [{id: 0}]}]", "d"))
                .hasMessage("d: host a: nodes[0].capacityPages: required");
    }

    @Test
    void rejectsTextThatIsNotYaml() {
        assertThatThrownBy(() -> ScenarioLoader.parse("hosts: [unclosed", "broken.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("broken.yaml: not valid YAML:");
    }

    @Test
    void loadPrefixesTheHostsOwnRuleViolationsWithTheSource() {
        String yaml = ONE_PROCESS.replace("{0: 60, 1: 30}", "{0: 60, 7: 30}");

        assertThatThrownBy(() -> ScenarioLoader.load(new StringReader(yaml), "demo.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("demo.yaml: host n001: process 4242: vmas[2].placement: node 7 does not exist");
    }

    @Test
    void loadBuildsOneHostPerEntryInScenarioOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, ONE_PROCESS + """
                  - name: n000
                    nodes: [{id: 0, capacityPages: 1}]
                """);

        SimulatedCluster cluster = SimulatedCluster.load(file);

        assertThat(cluster.hosts()).extracting(SimulatedHost::hostName).containsExactly("n001", "n000");
        assertThat(cluster.host("n000")).containsSame(cluster.hosts().get(1));
        assertThat(cluster.host("n999")).isEmpty();
    }

    @Test
    void loadsTheBundledDemoWithThreeHostsOfFourNodes() {
        SimulatedCluster demo = SimulatedCluster.demo();

        assertThat(demo.hosts()).extracting(SimulatedHost::hostName).containsExactly("n001", "n002", "n003");
        for (SimulatedHost host : demo.hosts()) {
            assertThat(host.topology().nodes()).hasSize(4);
            assertThat(host.topology().node(3).orElseThrow().cpus()).isEmpty();
            assertThat(host.topology().distance(0, 3))
                    .isGreaterThan(host.topology().distance(0, 2));
            assertThat(host.cpuset("/batch/job42").orElseThrow().mems()).containsExactly(0, 1, 2, 3);
            assertThat(host.pidsInCpuset("/batch/job42")).hasSize(3);
        }
    }

    @Test
    void bundledDemoHasRoomOnNodesTwoAndThreeForTheJobAndTakesSecondsToMove() throws Exception {
        SimulatedCluster demo = SimulatedCluster.demo();
        List<HostSpec> specs;
        try (Reader reader = new InputStreamReader(
                Objects.requireNonNull(getClass().getResourceAsStream("/scenarios/demo.yaml")),
                StandardCharsets.UTF_8)) {
            specs = ScenarioLoader.parse(reader, "demo.yaml");
        }

        for (HostSpec spec : specs) {
            SimulatedHost host = demo.host(spec.name()).orElseThrow();
            // Shared pages count once per process here, so this overestimates what has to move.
            long onZero = 0;
            long onOne = 0;
            for (int pid : host.pidsInCpuset("/batch/job42")) {
                onZero += host.placement(pid).getOrDefault(0, 0L);
                onOne += host.placement(pid).getOrDefault(1, 0L);
            }
            assertThat(onZero).isLessThanOrEqualTo(host.freePages(2));
            assertThat(onOne).isLessThanOrEqualTo(host.freePages(3));
            double seconds = (onZero + onOne) / spec.pagesPerSecond();
            assertThat(seconds).as("seconds to move the job on %s", spec.name()).isBetween(2.0, 10.0);
            assertThat(spec.processes())
                    .anySatisfy(p -> assertThat(p.policy()).isEqualTo(MemoryPolicy.DEFAULT))
                    .anySatisfy(p -> assertThat(p.allocatePagesPerStep()).isPositive())
                    .anySatisfy(p -> assertThat(p.vmas())
                            .anySatisfy(v -> assertThat(v.pinned()).isPositive()));
        }
    }
}
