package io.numashift.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.PolicyMode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the backend reads the kernel's text formats, with lines as other machines print them: cgroup
 * v2 and NFS mounts, policies this machine's processes do not have.
 */
class KernelTextParsingTest {
    private static final String V1_CPUSET = "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset";
    private static final String V1_MEMORY = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory";
    private static final String HYBRID_V2 = "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";
    private static final String V2 =
            "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate";
    private static final String ROOT = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw";
    private static final String NFS =
            "90 22 0:50 / /data/shared\\040files rw,relatime shared:60 - nfs4 fs1:/export rw,vers=4.2";

    @Test
    void idListsExpandRanges() {
        assertThat(IdList.parse("0-3,8,10-11\n")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(IdList.parse("\n")).isEmpty();
    }

    @Test
    void theCpusetControllerOfCgroupV1WinsOverAHybridUnifiedHierarchy() {
        List<Mount> mounts = List.of(ROOT, V1_MEMORY, V1_CPUSET, HYBRID_V2).stream()
                .map(Mount::parse)
                .toList();

        CpusetHierarchy hierarchy = CpusetHierarchy.detect(mounts);

        assertThat(hierarchy)
                .isEqualTo(new CpusetHierarchy(Path.of("/sys/fs/cgroup/cpuset"), CpusetHierarchy.Version.V1));
        assertThat(hierarchy.cpusetOf(List.of("4:memory:/x", "3:cpuset:/batch/job42", "0::/")))
                .contains("/batch/job42");
    }

    @Test
    void withoutAV1CpusetControllerTheUnifiedHierarchyHoldsCpusets() {
        CpusetHierarchy hierarchy = CpusetHierarchy.detect(List.of(Mount.parse(ROOT), Mount.parse(V2)));

        assertThat(hierarchy).isEqualTo(new CpusetHierarchy(Path.of("/sys/fs/cgroup"), CpusetHierarchy.Version.V2));
        assertThat(hierarchy.cpusetOf(List.of("0::/batch/job42"))).contains("/batch/job42");
        assertThat(hierarchy.directory("/../etc")).isEmpty();
    }

    @Test
    void aFileBelongsToTheMountWithTheLongestMountPoint() {
        List<Mount> mounts = List.of(Mount.parse(ROOT), Mount.parse(NFS));

        assertThat(Mount.containing(mounts, Path.of("/data/shared files/table.bin")))
                .hasValueSatisfying(m -> assertThat(m.nfs()).isTrue());
        assertThat(Mount.containing(mounts, Path.of("/data/shared")))
                .hasValueSatisfying(m -> assertThat(m.fsType()).isEqualTo("ext4"));
    }

    @Test
    void numaMapsGiveTheProcessPolicyFromTheStackAndVmasTheirOwn() {
        NumaMaps maps = NumaMaps.parse(List.of(
                "55b558028000 interleave:0-1 file=/usr/bin/cat anon=1 N0=1 kernelpagesize_kB=4",
                "7f0000000000 bind=static:2 anon=10 N2=10 kernelpagesize_kB=4",
                "7f0000200000 prefer:1 anon=10 N1=10 kernelpagesize_kB=4",
                "7f0000400000 prefer (many):0,2 anon=1 N0=1 kernelpagesize_kB=4",
                "7ffd00000000 interleave:0-1 stack anon=3 dirty=3 N0=3 kernelpagesize_kB=4"));

        assertThat(maps.process()).isEqualTo(new MemoryPolicy(PolicyMode.INTERLEAVE, List.of(0, 1)));
        assertThat(maps.ownPolicy(0x55b558028000L)).isNull();
        assertThat(maps.ownPolicy(0x7f0000000000L)).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(2)));
        assertThat(maps.ownPolicy(0x7f0000200000L)).isEqualTo(new MemoryPolicy(PolicyMode.PREFERRED, List.of(1)));
        assertThat(maps.ownPolicy(0x7f0000400000L)).isEqualTo(new MemoryPolicy(PolicyMode.BIND, List.of(0, 2)));
    }

    @Test
    void defaultAndLocalPoliciesHaveNoNodes() {
        assertThat(NumaMaps.parse(List.of("7ffd00000000 default stack anon=3")).process())
                .isEqualTo(MemoryPolicy.DEFAULT);
        assertThat(NumaMaps.policy("local", null)).isEqualTo(MemoryPolicy.DEFAULT);
    }
}
