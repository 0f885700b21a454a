package io.numashift.core;

import io.numashift.core.backend.BackendException;
import io.numashift.core.backend.Census;
import io.numashift.core.backend.MoveLog;
import io.numashift.core.backend.MovePass;
import io.numashift.core.backend.NumaBackend;
import io.numashift.core.backend.PageSet;
import io.numashift.core.backend.Vma;
import java.util.Arrays;

/**
 * The page half of a rollback (docs/migration.md §5.5): replays the move log backwards, one call
 * per logged run of pages, so that the host goes back through the states the migration passed
 * and no node overfills. {@link ProcessChanges#restore} undoes the rest.
 */
final class Rollback {

    /** Pages moved back, and pages that could not be. */
    record Counts(long back, long notBack) {
        static final Counts NONE = new Counts(0, 0);
    }

    private Rollback() {}

    static Counts movePagesBack(NumaBackend backend, int pid, Scan scan, MoveLog log, boolean moveShared, int nodes) {
        long back = 0;
        long notBack = 0;
        MovePass pass = new MovePass(nodes, new PageSet(0));
        for (int i = log.size() - 1; i >= 0; i--) {
            int vmaIndex = log.vma(i);
            Vma vma = scan.vmas.get(vmaIndex);
            long first = log.page(i);
            long count = log.count(i);
            PageSet set = scan.pending.get(vmaIndex);
            set.set(first, first + count);
            Arrays.fill(pass.target, -1);
            Arrays.fill(pass.quota, 0);
            pass.target[log.to(i)] = log.from(i);
            pass.quota[log.to(i)] = count;
            pass.pending = set;
            pass.vmaIndex = vmaIndex;
            pass.moveShared = moveShared || vma.sharedObject() != null;
            pass.log = null;
            pass.resetCall();
            try {
                backend.movePass(pid, vma, first, first + count, pass);
                long moved = pass.movedFrom[log.to(i)];
                if (moved < count) {
                    // A huge page moves whole: pages of this run may have gone back already, with a
                    // base page of a run replayed before. A page on its original node is back.
                    Census census = new Census(nodes, null, null, null, null);
                    backend.census(pid, vma, first, first + count, census);
                    moved = Math.max(moved, census.onNode[log.from(i)]);
                }
                back += moved;
                notBack += count - moved;
            } catch (BackendException e) {
                notBack += count;
            }
            set.clear(first, first + count);
        }
        return new Counts(back, notBack);
    }
}
