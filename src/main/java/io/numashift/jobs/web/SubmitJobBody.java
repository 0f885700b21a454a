package io.numashift.jobs.web;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.numashift.core.AddressRange;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationPlan;
import io.numashift.core.OnFailure;
import io.numashift.core.Verify;
import io.numashift.jobs.JobRequest;
import io.numashift.web.ApiProblem.FieldError;
import io.numashift.web.InvalidRequestException;
import io.numashift.web.JsonErrors;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of a submit, as sent. Its shape is checked declaratively when it is read (types by the
 * strict JSON reader, sizes, nulls and formats by Bean Validation); {@link #toRequest} adds the
 * rules that relate fields to each other.
 *
 * @param name a name for people
 * @param labels key-value labels (batch schedulers put their job ids here)
 * @param targets hosts with the processes to migrate there
 * @param range the address range; absent means the whole address space
 * @param oldNodes the nodes pages move from
 * @param newNodes the nodes pages move to, entry by entry
 * @param count the length of both node lists, when given
 * @param options the options; absent ones take their defaults
 */
public record SubmitJobBody(
        @Nullable @Size(max = MAX_TEXT) String name,

        @Nullable @Size(max = MAX_LABELS)
        Map<
                        @NotBlank @Size(max = MAX_TEXT) @Pattern(regexp = "[^:]*", message = "label keys have no ':'")
                        String,
                        @NotNull @Size(max = MAX_LABEL_VALUE) String>
                labels,

        @NotNull @Size(min = 1, max = MAX_TARGETS) List<@NotNull @Valid TargetBody> targets,
        @Nullable @Valid RangeBody range,
        @NotNull @Size(min = 1, max = MAX_NODES) List<@NotNull @PositiveOrZero Integer> oldNodes,
        @NotNull @Size(min = 1, max = MAX_NODES) List<@NotNull @PositiveOrZero Integer> newNodes,
        @Nullable Integer count,
        @Nullable @Valid OptionsBody options) {

    static final int MAX_TARGETS = 1_000;
    static final int MAX_HOSTS = 10_000;
    static final int MAX_PIDS = 100_000;
    static final int MAX_NODES = 1_024;
    static final int MAX_LABELS = 64;
    static final int MAX_TEXT = 255;
    static final int MAX_LABEL_VALUE = 1_024;
    /** The highest rate cap: 1 TiB/s, more than any host moves. */
    static final int MAX_RATE = 1_048_576;
    /** Host names as agents register them: letters, digits, '.', '_' and '-', as in DNS names. */
    public static final String HOST_NAME = "[A-Za-z0-9_][A-Za-z0-9._-]{0,252}";
    /**
     * Text looked up as it is (the list's filters): anything but NUL, which PostgreSQL cannot hold
     * in text and would refuse with an error instead of a 400. Bodies are checked for it as they are
     * read ({@code StrictJson}).
     */
    public static final String TEXT = "[^\\x00]*";
    /** What a parameter that is not {@link #TEXT} is told. */
    public static final String TEXT_MESSAGE = "no NUL character";
    /** Cpuset paths: absolute. */
    static final String CPUSET_PATH = "/.*";

    /** Slurm job ids: {@code 42}, or {@code 42_7} for a task of an array job. */
    static final String SLURM_JOB = "[0-9]{1,18}(_[0-9]{1,9})?";

    /**
     * A target: hosts and one of pids, a cpuset, a Slurm job.
     *
     * @param hosts host names
     * @param pids processes
     * @param cpuset every process in this cpuset on each host, resolved there when the task starts
     * @param slurmJob the processes of this Slurm job (an id such as {@code 42}, or {@code 42_7}
     *     for an array task) on each host, resolved there when the task starts
     */
    public record TargetBody(
            @NotNull @Size(min = 1, max = MAX_HOSTS)
            List<
                            @NotNull
                            @Pattern(regexp = HOST_NAME, message = "a host name: letters, digits, '.', '_' and '-'")
                            String>
                    hosts,

            @Nullable @Size(min = 1, max = MAX_PIDS) List<@NotNull @Positive Integer> pids,

            @Nullable @Size(max = MAX_TEXT) @Pattern(regexp = CPUSET_PATH, message = "a cpuset path starting with /")
            String cpuset,

            @Nullable
            @Pattern(regexp = SLURM_JOB, message = "a Slurm job id: digits, or digits_digits for an array task")
            String slurmJob) {}

    /**
     * An address range {@code [start, end)}.
     *
     * @param start first address
     * @param end address after the last byte
     */
    public record RangeBody(@NotNull Address start, @NotNull Address end) {}

    /**
     * A virtual address: a hex string such as {@code "0x7f0000000000"}, or a decimal number (as a
     * JSON number or a string).
     *
     * @param value the address
     */
    @Schema(name = "Address")
    @JsonErrors.Expected("an address: a hex string like \"0x7f0000000000\" or a non-negative integer")
    public record Address(long value) {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Address of(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("negative address");
            }
            return new Address(value);
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Address of(String text) {
            String trimmed = text.trim();
            BigInteger parsed = trimmed.startsWith("0x") || trimmed.startsWith("0X")
                    ? new BigInteger(trimmed.substring(2), 16)
                    : new BigInteger(trimmed);
            if (parsed.signum() < 0 || parsed.bitLength() > 63) {
                throw new IllegalArgumentException("address out of range");
            }
            return new Address(parsed.longValue());
        }
    }

    /**
     * The options; absent ones take their defaults.
     *
     * @param moveShared also move pages shared with processes outside the job (default false;
     *     docs/migration.md §4)
     * @param sharedOnce skip shared-object pages an earlier migration of the job on the host already
     *     scanned (default true)
     * @param suspend stop each process while its pages move (default false)
     * @param migrateCpus move a process whose CPU is on an old node to a CPU of the new node
     * @param newCpuset move each process into this cpuset first
     * @param onFailure {@code KEEP} (default) or {@code ROLLBACK}
     * @param verify what each migration proves afterwards: {@code PLACEMENT} (default), {@code
     *     CONTENT} or {@code NONE} (docs/migration.md §7)
     * @param maxMiBPerSecond the most MiB a second each host moves (default: the host's own cap,
     *     else as fast as it can)
     * @param dryRun plan without moving (default false)
     */
    public record OptionsBody(
            @Nullable Boolean moveShared,
            @Nullable Boolean sharedOnce,
            @Nullable Boolean suspend,
            @Nullable Boolean migrateCpus,

            @Nullable @Size(max = MAX_TEXT) @Pattern(regexp = CPUSET_PATH, message = "a cpuset path starting with /")
            String newCpuset,

            @Nullable OnFailure onFailure,
            @Nullable Verify verify,

            @Nullable
            @Positive(message = "at least 1 MiB/s")
            @Max(value = MAX_RATE, message = "at most 1,048,576 MiB/s")
            Integer maxMiBPerSecond,

            @Nullable Boolean dryRun) {

        /** The options given, absent ones (or all, when {@code body} is null) at their defaults. */
        static MigrationOptions parse(@Nullable OptionsBody body) {
            MigrationOptions defaults = MigrationOptions.DEFAULTS;
            if (body == null) {
                return defaults;
            }
            return new MigrationOptions(
                    or(body.moveShared(), defaults.moveShared()),
                    or(body.sharedOnce(), defaults.sharedOnce()),
                    or(body.suspend(), defaults.suspend()),
                    or(body.migrateCpus(), defaults.migrateCpus()),
                    body.newCpuset(),
                    body.onFailure() == null ? defaults.onFailure() : body.onFailure(),
                    body.verify() == null ? defaults.verify() : body.verify(),
                    body.maxMiBPerSecond(),
                    or(body.dryRun(), defaults.dryRun()));
        }

        private static boolean or(@Nullable Boolean value, boolean otherwise) {
            return value == null ? otherwise : value;
        }
    }

    /**
     * The normalised request, after the rules that relate fields: a target names one of pids, a
     * cpuset or a Slurm job,
     * at most {@value #MAX_HOSTS} hosts in all, and what the plan says is wrong with itself
     * ({@link MigrationPlan#violations()}: the node mapping of check 1, a range that starts below
     * its end).
     *
     * @throws InvalidRequestException naming every field that is wrong
     */
    JobRequest toRequest() {
        List<FieldError> errors = new ArrayList<>();
        List<JobRequest.Target> parsedTargets = new ArrayList<>();
        int hostCount = 0;
        for (int i = 0; i < targets.size(); i++) {
            TargetBody target = targets.get(i);
            hostCount += target.hosts().size();
            int named = (target.pids() == null ? 0 : 1)
                    + (target.cpuset() == null ? 0 : 1)
                    + (target.slurmJob() == null ? 0 : 1);
            if (named != 1) {
                errors.add(new FieldError("targets[" + i + "]", "give one of pids, a cpuset or a slurmJob"));
            }
            parsedTargets.add(new JobRequest.Target(target.hosts(), target.pids(), target.cpuset(), target.slurmJob()));
        }
        if (hostCount > MAX_HOSTS) {
            errors.add(new FieldError("targets", "at most " + MAX_HOSTS + " hosts in all"));
        }
        AddressRange parsedRange = range == null
                ? null
                : new AddressRange(range.start().value(), range.end().value());
        MigrationPlan plan = new MigrationPlan(oldNodes, newNodes, count, parsedRange, parsedOptions());
        for (MigrationPlan.Violation violation : plan.violations()) {
            errors.add(new FieldError(violation.field(), violation.message()));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        Map<String, String> labelMap = labels == null ? Map.of() : labels;
        return new JobRequest(
                name,
                labelMap,
                parsedTargets,
                plan.range(),
                plan.oldNodes(),
                plan.newNodes(),
                plan.count(),
                plan.options());
    }

    private MigrationOptions parsedOptions() {
        return OptionsBody.parse(options);
    }
}
