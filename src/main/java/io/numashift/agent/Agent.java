package io.numashift.agent;

import io.numashift.core.JobScope;
import io.numashift.core.MigrationEngine;
import io.numashift.core.MigrationMonitor;
import io.numashift.core.MigrationRequest;
import io.numashift.core.MigrationResult;
import io.numashift.core.backend.NumaBackend;
import io.numashift.dispatch.Dispatcher;
import io.numashift.dispatch.Lease;
import io.numashift.dispatch.TaskProgress;
import io.numashift.dispatch.web.AgentProtocol;
import io.numashift.hosts.HostTopology;
import io.numashift.jobs.ProcessResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The agent of one host. It registers, then leases its host's tasks one after another; for each it
 * runs the migration core on its backend, sends progress in heartbeats from a thread of its own
 * (so the migration never waits for the network), stops at the next batch when the job is
 * cancelled or the lease is lost, and reports the result until the service acknowledges it.
 * When the service is away it keeps trying with backoff.
 */
public final class Agent implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration LEASE_WAIT = Duration.ofSeconds(30);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    public static final String VERSION = "0.1.0";

    private final String host;
    private final String backendName;
    private final NumaBackend backend;
    private final AgentClient client;
    private final Duration heartbeatInterval;
    private final AtomicBoolean running = new AtomicBoolean(true);

    public Agent(String host, String backendName, NumaBackend backend, AgentClient client, Duration heartbeatInterval) {
        this.host = host;
        this.backendName = backendName;
        this.backend = backend;
        this.client = client;
        this.heartbeatInterval = heartbeatInterval;
    }

    public void stop() {
        running.set(false);
    }

    @Override
    public void run() {
        MDC.put("host", host);
        Duration backoff = Duration.ofMillis(200);
        boolean registered = false;
        while (running.get()) {
            try {
                if (!registered) {
                    client.register(
                            host,
                            new AgentProtocol.Registration(
                                    backendName,
                                    VERSION,
                                    backend.topology().pageSize(),
                                    HostTopology.of(backend.topology())));
                    registered = true;
                    log.info("registered");
                }
                var lease = client.lease(host, LEASE_WAIT);
                if (lease.isPresent()) {
                    execute(lease.get());
                }
                backoff = Duration.ofMillis(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                if (!running.get()) {
                    return;
                }
                log.warn("service unreachable or refused ({}); retrying in {} ms", e.getMessage(), backoff.toMillis());
                if (e instanceof AgentClient.RefusedException refused && refused.status() == 400) {
                    registered = false;
                }
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private void execute(Lease lease) throws InterruptedException {
        try (var job = MDC.putCloseable("jobId", lease.jobId().toString())) {
            log.info("running task {} (attempt {})", lease.taskId(), lease.attempt());
            Progress progress = new Progress();
            Thread heartbeats = Thread.ofVirtual().name("heartbeat-" + host).start(() -> heartbeat(lease, progress));
            AgentProtocol.Result result;
            try {
                result = run(lease, progress);
            } finally {
                progress.finished = true;
                heartbeats.interrupt();
                heartbeats.join();
            }
            if (!progress.leaseLost) {
                report(lease, result);
            }
        }
    }

    private AgentProtocol.Result run(Lease lease, Progress progress) {
        TreeSet<Integer> pids = new TreeSet<>(lease.targets().pids());
        for (String cpuset : lease.targets().cpusets()) {
            if (backend.cpuset(cpuset).isEmpty()) {
                return new AgentProtocol.Result(
                        lease.epoch(), List.of(), "EINVAL", "cpuset " + cpuset + " does not exist on host " + host);
            }
            pids.addAll(backend.pidsInCpuset(cpuset));
        }
        progress.processesTotal = pids.size();
        var request = lease.request();
        MigrationRequest template = new MigrationRequest(
                0, request.range(), request.oldNodes(), request.newNodes(), request.count(), request.options(), true);
        MigrationEngine engine = new MigrationEngine(backend);
        JobScope scope = new JobScope(pids);
        List<ProcessResult> results = new ArrayList<>();
        for (int pid : pids) {
            MigrationResult result = progress.cancelled
                    ? MigrationResult.cancelledBeforeStart(pid)
                    : engine.migrate(template.withPid(pid), scope, progress);
            ProcessResult view = ProcessResult.of(result);
            results.add(view);
            progress.processDone(view);
        }
        return new AgentProtocol.Result(lease.epoch(), results, null, null);
    }

    private void heartbeat(Lease lease, Progress progress) {
        while (!progress.finished) {
            try {
                Thread.sleep(heartbeatInterval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                Dispatcher.HeartbeatAnswer answer = client.heartbeat(
                        lease.taskId(),
                        new AgentProtocol.Heartbeat(
                                lease.epoch(), progress.snapshot(), HostTopology.of(backend.topology())));
                if (answer.cancelRequested()) {
                    progress.cancelled = true;
                }
            } catch (AgentClient.RefusedException e) {
                if (e.status() == 409 || e.status() == 404) {
                    // The lease is gone (it expired and the task was offered again): stop at the next batch.
                    log.warn("lease of task {} lost: {}", lease.taskId(), e.getMessage());
                    progress.leaseLost = true;
                    progress.cancelled = true;
                    return;
                }
            } catch (IOException e) {
                log.warn("heartbeat failed: {}", e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reports until the service acknowledges, or the lease is known to be gone. */
    private void report(Lease lease, AgentProtocol.Result result) throws InterruptedException {
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            try {
                client.result(lease.taskId(), result);
                log.info("reported task {}", lease.taskId());
                return;
            } catch (AgentClient.RefusedException e) {
                if (e.status() == 409 || e.status() == 404 || e.status() == 403) {
                    log.warn("result of task {} refused: {}", lease.taskId(), e.getMessage());
                    return;
                }
                log.warn("reporting failed ({}); retrying", e.getMessage());
            } catch (IOException e) {
                log.warn("reporting failed ({}); retrying", e.getMessage());
            }
            sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Progress shared between the migrating thread and the heartbeat thread. */
    private static final class Progress implements MigrationMonitor {
        volatile boolean cancelled;
        volatile boolean leaseLost;
        volatile boolean finished;
        volatile int processesTotal;
        volatile int processesDone;
        volatile long doneBefore;
        volatile long toMoveBefore;
        volatile long skippedBefore;
        volatile long failedBefore;
        volatile long currentDone;
        volatile long currentToMove;

        @Override
        public void progress(int pid, long pagesDone, long pagesToMove) {
            currentDone = pagesDone;
            currentToMove = pagesToMove;
        }

        @Override
        public boolean cancelRequested() {
            return cancelled;
        }

        void processDone(ProcessResult result) {
            doneBefore += result.pagesMoved();
            toMoveBefore += Math.max(currentToMove, result.pagesMoved() + result.pagesFailedTotal());
            skippedBefore += result.pagesSkippedTotal();
            failedBefore += result.pagesFailedTotal();
            currentDone = 0;
            currentToMove = 0;
            processesDone++;
        }

        TaskProgress snapshot() {
            return new TaskProgress(
                    processesTotal,
                    processesDone,
                    toMoveBefore + currentToMove,
                    doneBefore + currentDone,
                    skippedBefore,
                    failedBefore);
        }
    }
}
