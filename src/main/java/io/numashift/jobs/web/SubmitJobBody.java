package io.numashift.jobs.web;

import io.numashift.core.AddressRange;
import io.numashift.core.MigrationOptions;
import io.numashift.core.MigrationRequest;
import io.numashift.core.OnFailure;
import io.numashift.jobs.JobRequest;
import io.numashift.web.ApiProblem.FieldError;
import io.numashift.web.InvalidRequestException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The body of a submit, as sent: every field optional here so that {@link #toRequest} can name
 * each one that is missing or wrong.
 */
public record SubmitJobBody(
        @Nullable String name,
        @Nullable Map<String, String> labels,
        @Nullable List<TargetBody> targets,
        @Nullable RangeBody range,
        @Nullable List<Integer> oldNodes,
        @Nullable List<Integer> newNodes,
        @Nullable Integer count,
        @Nullable OptionsBody options) {

    static final int MAX_TARGETS = 1_000;
    static final int MAX_HOSTS = 10_000;
    static final int MAX_PIDS = 100_000;
    static final int MAX_NODES = 1_024;
    static final int MAX_LABELS = 64;
    static final int MAX_TEXT = 255;
    static final int MAX_LABEL_VALUE = 1_024;

    /**
     * A target: hosts and either pids or a cpuset.
     *
     * @param hosts host names
     * @param pids processes
     * @param cpuset a cpuset path
     */
    public record TargetBody(
            @Nullable List<String> hosts,
            @Nullable List<Integer> pids,
            @Nullable String cpuset) {}

    /**
     * An address range; addresses are hex strings or decimal numbers.
     *
     * @param start first address
     * @param end address after the last byte
     */
    public record RangeBody(
            @Nullable JsonNode start, @Nullable JsonNode end) {}

    /**
     * The options; absent ones take their defaults.
     *
     * @param moveShared also move pages shared with processes outside the job (docs/migration.md §4)
     * @param sharedOnce default true
     * @param suspend stop the process while moving
     * @param migrateCpus move the process to a CPU of the new node
     * @param newCpuset move the process into this cpuset first
     * @param onFailure {@code KEEP} or {@code ROLLBACK}
     * @param dryRun plan without moving
     */
    public record OptionsBody(
            @Nullable Boolean moveShared,
            @Nullable Boolean sharedOnce,
            @Nullable Boolean suspend,
            @Nullable Boolean migrateCpus,
            @Nullable String newCpuset,
            @Nullable String onFailure,
            @Nullable Boolean dryRun) {}

    /**
     * The normalised request.
     *
     * @throws InvalidRequestException naming every field that is wrong
     */
    JobRequest toRequest() {
        List<FieldError> errors = new ArrayList<>();
        if (name != null && name.length() > MAX_TEXT) {
            errors.add(new FieldError("name", "at most " + MAX_TEXT + " characters"));
        }
        Map<String, String> labelMap = labels == null ? Map.of() : labels;
        if (labelMap.size() > MAX_LABELS) {
            errors.add(new FieldError("labels", "at most " + MAX_LABELS + " labels"));
        }
        labelMap.forEach((key, value) -> {
            if (key.isBlank() || key.length() > MAX_TEXT || key.contains(":")) {
                errors.add(new FieldError("labels", "label keys are 1 to " + MAX_TEXT + " characters without ':'"));
            }
            if (value == null || value.length() > MAX_LABEL_VALUE) {
                errors.add(new FieldError("labels." + key, "a value of at most " + MAX_LABEL_VALUE + " characters"));
            }
        });
        List<JobRequest.Target> parsedTargets = targets(errors);
        AddressRange parsedRange = range(errors);
        List<Integer> old = nodes("oldNodes", oldNodes, errors);
        List<Integer> next = nodes("newNodes", newNodes, errors);
        MigrationOptions parsedOptions = options(errors);
        if (errors.isEmpty()) {
            MigrationRequest check = new MigrationRequest(1, parsedRange, old, next, count, parsedOptions, true);
            check.invalidReason(4096).ifPresent(reason -> errors.add(new FieldError(fieldOf(reason), reason)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new JobRequest(name, labelMap, parsedTargets, parsedRange, old, next, count, parsedOptions);
    }

    private List<JobRequest.Target> targets(List<FieldError> errors) {
        if (targets == null || targets.isEmpty()) {
            errors.add(new FieldError("targets", "at least one target is required"));
            return List.of();
        }
        if (targets.size() > MAX_TARGETS) {
            errors.add(new FieldError("targets", "at most " + MAX_TARGETS + " targets"));
            return List.of();
        }
        List<JobRequest.Target> result = new ArrayList<>();
        int hostCount = 0;
        for (int i = 0; i < targets.size(); i++) {
            TargetBody target = targets.get(i);
            String field = "targets[" + i + "]";
            if (target == null) {
                errors.add(new FieldError(field, "must be an object"));
                continue;
            }
            List<String> hosts = target.hosts() == null ? List.of() : target.hosts();
            hostCount += hosts.size();
            if (hosts.isEmpty()) {
                errors.add(new FieldError(field + ".hosts", "at least one host is required"));
            }
            for (String host : hosts) {
                if (host == null || host.isBlank() || host.length() > MAX_TEXT) {
                    errors.add(new FieldError(field + ".hosts", "host names are 1 to " + MAX_TEXT + " characters"));
                }
            }
            boolean hasPids = target.pids() != null;
            boolean hasCpuset = target.cpuset() != null;
            if (hasPids == hasCpuset) {
                errors.add(new FieldError(field, "give either pids or a cpuset"));
                continue;
            }
            if (hasPids) {
                if (target.pids().isEmpty() || target.pids().size() > MAX_PIDS) {
                    errors.add(new FieldError(field + ".pids", "1 to " + MAX_PIDS + " pids"));
                } else if (target.pids().stream().anyMatch(p -> p == null || p <= 0)) {
                    errors.add(new FieldError(field + ".pids", "pids are positive"));
                }
            } else if (target.cpuset().isBlank()
                    || !target.cpuset().startsWith("/")
                    || target.cpuset().length() > MAX_TEXT) {
                errors.add(new FieldError(field + ".cpuset", "a cpuset path starting with /"));
            }
            result.add(new JobRequest.Target(hosts, target.pids(), target.cpuset()));
        }
        if (hostCount > MAX_HOSTS) {
            errors.add(new FieldError("targets", "at most " + MAX_HOSTS + " hosts in all"));
        }
        return result;
    }

    private @Nullable AddressRange range(List<FieldError> errors) {
        if (range == null) {
            return null;
        }
        Optional<Long> start = address("range.start", range.start(), errors);
        Optional<Long> end = address("range.end", range.end(), errors);
        if (start.isEmpty() || end.isEmpty()) {
            return null;
        }
        return new AddressRange(start.get(), end.get());
    }

    private static Optional<Long> address(String field, @Nullable JsonNode node, List<FieldError> errors) {
        BigInteger value = null;
        if (node != null && node.isIntegralNumber()) {
            value = node.bigIntegerValue();
        } else if (node != null && node.isString()) {
            String text = node.stringValue().trim();
            try {
                value = text.startsWith("0x") || text.startsWith("0X")
                        ? new BigInteger(text.substring(2), 16)
                        : new BigInteger(text);
            } catch (NumberFormatException e) {
                value = null;
            }
        }
        if (value == null || value.signum() < 0 || value.bitLength() > 63) {
            errors.add(new FieldError(field, "an address: a hex string like \"0x7f0000000000\" or a number"));
            return Optional.empty();
        }
        return Optional.of(value.longValue());
    }

    private static List<Integer> nodes(String field, @Nullable List<Integer> nodes, List<FieldError> errors) {
        if (nodes == null) {
            errors.add(new FieldError(field, "required"));
            return List.of();
        }
        if (nodes.size() > MAX_NODES) {
            errors.add(new FieldError(field, "at most " + MAX_NODES + " nodes"));
            return List.of();
        }
        if (nodes.stream().anyMatch(n -> n == null)) {
            errors.add(new FieldError(field, "node ids are numbers"));
            return List.of();
        }
        return nodes;
    }

    private MigrationOptions options(List<FieldError> errors) {
        MigrationOptions defaults = MigrationOptions.DEFAULTS;
        if (options == null) {
            return defaults;
        }
        OnFailure onFailure = defaults.onFailure();
        if (options.onFailure() != null) {
            try {
                onFailure = OnFailure.valueOf(options.onFailure());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("options.onFailure", "KEEP or ROLLBACK"));
            }
        }
        String newCpuset = options.newCpuset();
        if (newCpuset != null && (!newCpuset.startsWith("/") || newCpuset.length() > MAX_TEXT)) {
            errors.add(new FieldError("options.newCpuset", "a cpuset path starting with /"));
        }
        return new MigrationOptions(
                or(options.moveShared(), defaults.moveShared()),
                or(options.sharedOnce(), defaults.sharedOnce()),
                or(options.suspend(), defaults.suspend()),
                or(options.migrateCpus(), defaults.migrateCpus()),
                newCpuset,
                onFailure,
                or(options.dryRun(), defaults.dryRun()));
    }

    private static boolean or(@Nullable Boolean value, boolean otherwise) {
        return value == null ? otherwise : value;
    }

    private static String fieldOf(String reason) {
        if (reason.startsWith("range")) {
            return reason.contains("range.end") ? "range.end" : "range.start";
        }
        if (reason.startsWith("count")) {
            return "count";
        }
        return reason.contains("newNodes") && !reason.contains("oldNodes") ? "newNodes" : "oldNodes";
    }

    static Map<String, Object> describe(JobRequest request) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", request.name());
        view.put("labels", request.labels());
        view.put("targets", request.targets());
        view.put(
                "range",
                request.range() == null
                        ? null
                        : Map.of(
                                "start", "0x" + Long.toHexString(request.range().start()),
                                "end", "0x" + Long.toHexString(request.range().end())));
        view.put("oldNodes", request.oldNodes());
        view.put("newNodes", request.newNodes());
        view.put("count", request.count() == null ? request.oldNodes().size() : request.count());
        view.put("options", request.options());
        return view;
    }
}
