package io.numashift.sim;

import io.numashift.core.backend.MemoryPolicy;
import io.numashift.sim.HostSpec.ProcessSpec;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A simulated process: what it runs on, its policy and its VMAs in address order. */
final class SimProcess {
    final int pid;
    final int uid;
    final String command;

    @Nullable
    String cpuset;

    int cpu;
    boolean stopped;
    MemoryPolicy policy;
    final long allocatePagesPerStep;

    @Nullable
    final String slurmJob;

    final List<SimVma> vmas = new ArrayList<>();
    int interleave;

    SimProcess(ProcessSpec spec) {
        this.pid = spec.pid();
        this.uid = spec.uid();
        this.command = spec.command();
        this.cpuset = spec.cpuset();
        this.cpu = spec.cpu();
        this.stopped = spec.stopped();
        this.policy = spec.policy();
        this.allocatePagesPerStep = spec.allocatePagesPerStep();
        this.slurmJob = spec.slurmJob();
    }
}
