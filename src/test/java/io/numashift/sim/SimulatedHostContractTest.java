package io.numashift.sim;

import io.numashift.core.backend.NumaBackendContract;
import io.numashift.sim.HostSpec.FileSpec;
import io.numashift.sim.HostSpec.NodeSpec;
import io.numashift.sim.HostSpec.ProcessSpec;
import io.numashift.sim.HostSpec.VmaSpec;
import java.util.List;
import java.util.Map;

/** The backend contract on a simulated host with one node. */
class SimulatedHostContractTest extends NumaBackendContract {
    private static final int PID = 4242;
    private static final long REGION = 0x10000000L;
    private static final long REGION_PAGES = 64;
    private static final long TOUCHED = 48;
    private static final String MARKED = "/data/frozen.tbl";
    private static final long MARKED_START = 0x20000000L;

    @Override
    protected KnownProcess startKnownProcess() {
        SimulatedHost host = SimulatedHost.create(HostSpec.of("sim", List.of(new NodeSpec(0, 10_000, List.of(0, 1))))
                .withFiles(List.of(new FileSpec(MARKED, "none", false)))
                .withProcesses(List.of(ProcessSpec.of(
                        PID,
                        List.of(
                                VmaSpec.anon(REGION, REGION_PAGES, Map.of(0, TOUCHED)),
                                VmaSpec.anon(MARKED_START, 8, Map.of(0, 8L)).withFile(MARKED))))));
        // The simulator lays resident pages out from the start of the VMA.
        return new KnownProcess(
                host, PID, REGION, REGION_PAGES, page -> page < TOUCHED, MARKED, MARKED_START, PID + 1, () -> {});
    }
}
