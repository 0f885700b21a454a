package io.numashift.core;

import io.numashift.core.backend.Node;
import io.numashift.core.backend.Topology;

/**
 * A dry run's mover (docs/migration.md §7.4): each step's quotas are taken as moved, against the
 * free pages the nodes had when the topology was read, and recorded in the tally; nothing on the
 * host moves. A dry run is not cancelled.
 */
final class PlannedMoves implements MoveLoop.Mover {
    private final long[] free;
    private final Tally tally;

    PlannedMoves(Topology topology, Tally tally) {
        this.free = new long[topology.nodeIdLimit()];
        for (Node node : topology.nodes()) {
            free[node.id()] = node.freePages();
        }
        this.tally = tally;
    }

    @Override
    public boolean cancelled() {
        return false;
    }

    @Override
    public long[] free() {
        return free;
    }

    @Override
    public boolean move(Scheduler.Moves moves, Scheduler scheduler) {
        long[] quota = moves.quota();
        for (int a = 0; a < quota.length; a++) {
            long q = quota[a];
            if (q > 0) {
                int to = moves.target()[a];
                tally.moved(a, to, moves.intended()[a], q);
                free[to] -= q;
                free[a] += q;
                scheduler.done(a, q);
            }
        }
        return true;
    }
}
