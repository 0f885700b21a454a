package io.numashift.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.numashift.core.MigrationPlan.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan names what is wrong with itself, field by field; a request of it keeps its accessors. */
class MigrationPlanTest {
    private static final AddressRange RANGE = new AddressRange(0x10000, 0x20000);

    @Test
    void aValidPlanHasNoViolations() {
        MigrationPlan plan = new MigrationPlan(List.of(0, 1), List.of(1, 0), 2, RANGE, MigrationOptions.DEFAULTS);
        assertThat(plan.violations()).isEmpty();
        assertThat(plan.violations(4096)).isEmpty();
        assertThat(plan.violations(65536)).isEmpty();
    }

    @Test
    void theMappingNamesItsField() {
        assertThat(MigrationPlan.of(List.of(), List.of(1)).violations())
                .extracting(Violation::field)
                .containsExactly("oldNodes");
        assertThat(MigrationPlan.of(List.of(0), List.of()).violations())
                .extracting(Violation::field)
                .containsExactly("newNodes");
        assertThat(MigrationPlan.of(List.of(0, 1), List.of(1)).violations())
                .containsExactly(new Violation("newNodes", "oldNodes has 2 entries but newNodes has 1"));
        assertThat(MigrationPlan.of(List.of(0), List.of(1)).withCount(2).violations())
                .extracting(Violation::field)
                .containsExactly("count");
        assertThat(MigrationPlan.of(List.of(0, 0), List.of(1, 2)).violations())
                .containsExactly(new Violation("oldNodes", "node 0 is repeated in oldNodes"));
        assertThat(MigrationPlan.of(List.of(0), List.of(-1)).violations())
                .extracting(Violation::field)
                .containsExactly("newNodes");
    }

    @Test
    void theRangeNamesItsBound() {
        MigrationPlan backwards = MigrationPlan.of(List.of(0), List.of(1)).withRange(new AddressRange(0x2000, 0x1000));
        assertThat(backwards.violations())
                .containsExactly(new Violation("range.end", "range.start must be below range.end"));
        MigrationPlan unaligned = MigrationPlan.of(List.of(0), List.of(1)).withRange(new AddressRange(0x1000, 0x3000));
        assertThat(unaligned.violations()).isEmpty();
        assertThat(unaligned.rangeViolation(4096)).isEmpty();
        assertThat(unaligned.rangeViolation(8192))
                .contains(new Violation("range.start", "range.start 0x1000 is not aligned to the page size 8192"));
        MigrationPlan badEnd = MigrationPlan.of(List.of(0), List.of(1)).withRange(new AddressRange(0x2000, 0x3000));
        assertThat(badEnd.rangeViolation(8192)).map(Violation::field).contains("range.end");
    }

    @Test
    void bothPartsAreReportedTogether() {
        MigrationPlan plan = MigrationPlan.of(List.of(0, 1), List.of(1)).withRange(new AddressRange(0x3000, 0x1000));
        assertThat(plan.violations()).extracting(Violation::field).containsExactly("newNodes", "range.end");
        assertThat(plan.violations(4096)).extracting(Violation::field).containsExactly("newNodes", "range.end");
    }

    @Test
    void aRequestIsAPidAndAPlan() {
        MigrationPlan plan =
                new MigrationPlan(List.of(0), List.of(1), 1, RANGE, MigrationOptions.DEFAULTS.withDryRun(true));
        MigrationRequest request = MigrationRequest.of(42, plan);
        assertThat(request.oldNodes()).containsExactly(0);
        assertThat(request.newNodes()).containsExactly(1);
        assertThat(request.count()).isEqualTo(1);
        assertThat(request.range()).isEqualTo(RANGE);
        assertThat(request.options().dryRun()).isTrue();
        assertThat(request.withPid(7).plan()).isEqualTo(plan);
        assertThat(new MigrationRequest(42, RANGE, List.of(0), List.of(1), 1, plan.options(), true))
                .isEqualTo(request);
        assertThat(MigrationRequest.of(1, List.of(0, 0), List.of(1, 2)).invalid(4096))
                .contains(new MigrationRequest.Invalid("oldNodes", "node 0 is repeated in oldNodes"));
    }
}
