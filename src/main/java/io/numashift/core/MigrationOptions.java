package io.numashift.core;

import org.jspecify.annotations.Nullable;

/**
 * Options of a migration.
 *
 * @param moveShared also move pages shared with processes outside the job ({@code MPOL_MF_MOVE_ALL})
 * @param sharedOnce skip shared-object pages that an earlier migration of the same job on the same
 *     host already scanned with the right to move them
 * @param suspend stop the process while its pages move
 * @param migrateCpus move a process whose CPU is on an old node to a CPU of the new node
 * @param newCpuset move the process into this cpuset first
 * @param onFailure what to do with moved pages when the migration fails or is cancelled
 * @param verify what the migration proves afterwards ({@link Verify}); absent means {@code PLACEMENT}
 * @param maxMiBPerSecond the most MiB a second the migration moves, in short slices, so that the
 *     process hardly notices; absent means as fast as the host moves them
 * @param dryRun compute the result and an estimate without changing anything
 */
public record MigrationOptions(
        boolean moveShared,
        boolean sharedOnce,
        boolean suspend,
        boolean migrateCpus,
        @Nullable String newCpuset,
        OnFailure onFailure,
        Verify verify,
        @Nullable Integer maxMiBPerSecond,
        boolean dryRun) {

    public static final MigrationOptions DEFAULTS =
            new MigrationOptions(false, true, false, false, null, OnFailure.KEEP, Verify.PLACEMENT, null, false);

    public MigrationOptions {
        // Options stored or sent before the option existed read as its default.
        if (verify == null) {
            verify = Verify.PLACEMENT;
        }
    }

    public MigrationOptions withMoveShared(boolean value) {
        return new MigrationOptions(
                value, sharedOnce, suspend, migrateCpus, newCpuset, onFailure, verify, maxMiBPerSecond, dryRun);
    }

    public MigrationOptions withSharedOnce(boolean value) {
        return new MigrationOptions(
                moveShared, value, suspend, migrateCpus, newCpuset, onFailure, verify, maxMiBPerSecond, dryRun);
    }

    public MigrationOptions withSuspend(boolean value) {
        return new MigrationOptions(
                moveShared, sharedOnce, value, migrateCpus, newCpuset, onFailure, verify, maxMiBPerSecond, dryRun);
    }

    public MigrationOptions withMigrateCpus(boolean value) {
        return new MigrationOptions(
                moveShared, sharedOnce, suspend, value, newCpuset, onFailure, verify, maxMiBPerSecond, dryRun);
    }

    public MigrationOptions withNewCpuset(@Nullable String value) {
        return new MigrationOptions(
                moveShared, sharedOnce, suspend, migrateCpus, value, onFailure, verify, maxMiBPerSecond, dryRun);
    }

    public MigrationOptions withOnFailure(OnFailure value) {
        return new MigrationOptions(
                moveShared, sharedOnce, suspend, migrateCpus, newCpuset, value, verify, maxMiBPerSecond, dryRun);
    }

    public MigrationOptions withVerify(Verify value) {
        return new MigrationOptions(
                moveShared, sharedOnce, suspend, migrateCpus, newCpuset, onFailure, value, maxMiBPerSecond, dryRun);
    }

    public MigrationOptions withMaxMiBPerSecond(@Nullable Integer value) {
        return new MigrationOptions(
                moveShared, sharedOnce, suspend, migrateCpus, newCpuset, onFailure, verify, value, dryRun);
    }

    public MigrationOptions withDryRun(boolean value) {
        return new MigrationOptions(
                moveShared, sharedOnce, suspend, migrateCpus, newCpuset, onFailure, verify, maxMiBPerSecond, value);
    }
}
