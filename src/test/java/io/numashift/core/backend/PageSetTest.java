package io.numashift.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Where the first pages of a set end, against the set's own count, over empty, full and bitmap blocks. */
class PageSetTest {
    private static final long SIZE = 3L * PageSet.BLOCK_PAGES + 100;

    /** Adds or removes a range of pages. */
    record Change(long from, long to, boolean add) {}

    @Provide
    Arbitrary<List<Change>> changes() {
        Arbitrary<Long> page = Arbitraries.oneOf(
                Arbitraries.longs().between(0, SIZE),
                Arbitraries.of(
                        0L, (long) PageSet.BLOCK_PAGES, 2L * PageSet.BLOCK_PAGES, 3L * PageSet.BLOCK_PAGES, SIZE));
        return Combinators.combine(page, page, Arbitraries.of(true, true, false))
                .as((a, b, add) -> new Change(Math.min(a, b), Math.max(a, b), add))
                .list()
                .ofMaxSize(6);
    }

    @Property(tries = 300)
    void endOfFirstIsRightAfterThePageThatMakesTheCount(
            @ForAll("changes") List<Change> changes,
            @ForAll("pages") long from,
            @ForAll("pages") long to,
            @ForAll("counts") long pages) {
        PageSet set = new PageSet(SIZE);
        for (Change change : changes) {
            if (change.add()) {
                set.set(change.from(), change.to());
            } else {
                set.clear(change.from(), change.to());
            }
        }
        long start = Math.min(from, to);
        long end = Math.max(from, to);

        long found = set.endOfFirst(start, end, pages);

        if (set.count(start, end) < pages) {
            assertThat(found).isEqualTo(end);
        } else {
            assertThat(set.count(start, found)).isEqualTo(pages);
            assertThat(set.get(found - 1))
                    .as("the last page counted is in the set")
                    .isTrue();
        }
    }

    @Provide
    Arbitrary<Long> pages() {
        return Arbitraries.longs().between(0, SIZE);
    }

    @Provide
    Arbitrary<Long> counts() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1, 200), Arbitraries.longs().between(1, 2 * PageSet.BLOCK_PAGES));
    }
}
