package io.numashift.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationResult.Fallback;
import io.numashift.core.MigrationResult.NodePairPages;
import io.numashift.core.backend.Errno;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TallyTest {

    @Test
    void movesAreCountedPerPairAndFallbacksPerIntendedAndActualNode() {
        Tally tally = new Tally(4);

        tally.moved(0, 1, 1, 10);
        tally.moved(2, 3, 1, 4);
        tally.moved(0, 1, 1, 5);

        assertThat(tally.moves()).containsExactly(new NodePairPages(0, 1, 15), new NodePairPages(2, 3, 4));
        assertThat(tally.fallbacks()).containsExactly(new Fallback(1, 3, 4));
        assertThat(tally.movedTotal()).isEqualTo(19);
        assertThat(tally.placementAfterMoves(new long[] {20, 0, 4, 0})).containsExactly(5, 15, 0, 4);
    }

    @Test
    void countsOfNothingAreLeftOut() {
        Tally tally = new Tally(2);

        tally.failed(Errno.EBUSY, 0);
        tally.failed(Errno.ENOMEM, 3);
        tally.skipped(SkipReason.SHARED, 0);
        tally.skipped(SkipReason.XATTR_NONE, 2);

        assertThat(tally.failed()).containsExactlyEntriesOf(Map.of(Errno.ENOMEM, 3L));
        assertThat(tally.skipped()).containsExactlyEntriesOf(Map.of(SkipReason.XATTR_NONE, 2L));
        assertThat(tally.failed(Errno.EBUSY)).isZero();
    }
}
