package io.numashift.jobs.web;

import static io.numashift.jobs.web.SubmitJobBody.CPUSET_PATH;
import static io.numashift.jobs.web.SubmitJobBody.HOST_NAME;
import static io.numashift.jobs.web.SubmitJobBody.MAX_HOSTS;
import static io.numashift.jobs.web.SubmitJobBody.MAX_LABELS;
import static io.numashift.jobs.web.SubmitJobBody.MAX_LABEL_VALUE;
import static io.numashift.jobs.web.SubmitJobBody.MAX_NODES;
import static io.numashift.jobs.web.SubmitJobBody.MAX_PIDS;
import static io.numashift.jobs.web.SubmitJobBody.MAX_TEXT;
import static io.numashift.jobs.web.SubmitJobBody.SLURM_JOB;

import io.numashift.core.MigrationOptions;
import io.numashift.core.backend.MemoryState;
import io.numashift.jobs.JobRequest;
import io.numashift.jobs.web.SubmitJobBody.OptionsBody;
import io.numashift.web.ApiProblem.FieldError;
import io.numashift.web.InvalidRequestException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The body of an evacuation (docs/evacuation.md), as sent: which hosts, which nodes to empty,
 * optionally which processes (every process by default), and the options of a job. Its shape is
 * checked as it is read; {@link #toRequest} adds the rules that relate fields.
 *
 * @param name a name for people
 * @param labels key-value labels
 * @param hosts the hosts whose nodes are emptied
 * @param allHosts every registered host instead of {@code hosts}
 * @param nodes the nodes to empty on each host
 * @param processes the processes whose pages leave the nodes; absent means every process
 * @param options the options of a job; {@code newCpuset} does not apply
 * @param offline then take the nodes' memory blocks offline (not in a dry run)
 * @param online instead of emptying the nodes, bring their memory blocks back online
 */
public record SubmitEvacuationBody(
        @Nullable @Size(max = MAX_TEXT) String name,

        @Nullable @Size(max = MAX_LABELS)
        Map<
                        @NotBlank @Size(max = MAX_TEXT) @Pattern(regexp = "[^:]*", message = "label keys have no ':'")
                        String,
                        @NotNull @Size(max = MAX_LABEL_VALUE) String>
                labels,

        @Nullable @Size(min = 1, max = MAX_HOSTS)
        List<@NotNull @Pattern(regexp = HOST_NAME, message = "a host name: letters, digits, '.', '_' and '-'") String>
                hosts,

        @Nullable Boolean allHosts,
        @NotNull @Size(min = 1, max = MAX_NODES) List<@NotNull @PositiveOrZero Integer> nodes,
        @Nullable @Valid ProcessesBody processes,
        @Nullable @Valid OptionsBody options,
        @Nullable Boolean offline,
        @Nullable Boolean online) {

    /**
     * The processes of an evacuation: one of pids, a cpuset, a Slurm job.
     *
     * @param pids processes
     * @param cpuset every process in this cpuset on each host
     * @param slurmJob the processes of this Slurm job on each host
     */
    public record ProcessesBody(
            @Nullable @Size(min = 1, max = MAX_PIDS) List<@NotNull @Positive Integer> pids,

            @Nullable @Size(max = MAX_TEXT) @Pattern(regexp = CPUSET_PATH, message = "a cpuset path starting with /")
            String cpuset,

            @Nullable
            @Pattern(regexp = SLURM_JOB, message = "a Slurm job id: digits, or digits_digits for an array task")
            String slurmJob) {}

    /**
     * The normalised request: hosts named or {@code allHosts}, not both; nodes without repeats; one
     * of pids, a cpuset or a Slurm job when processes are given; no {@code newCpuset}; not both
     * {@code offline} and {@code online}, and no processes with {@code online}.
     *
     * @param registered the names of every registered host, asked only for {@code allHosts}
     * @throws InvalidRequestException naming every field that is wrong
     */
    JobRequest toRequest(Supplier<List<String>> registered) {
        List<FieldError> errors = new ArrayList<>();
        boolean everyHost = Boolean.TRUE.equals(allHosts);
        if (everyHost == (hosts != null)) {
            errors.add(new FieldError("hosts", "give hosts, or allHosts: true"));
        }
        Set<Integer> seen = new HashSet<>();
        for (int node : nodes) {
            if (!seen.add(node)) {
                errors.add(new FieldError("nodes", "node " + node + " is repeated in nodes"));
                break;
            }
        }
        if (processes != null) {
            int named = (processes.pids() == null ? 0 : 1)
                    + (processes.cpuset() == null ? 0 : 1)
                    + (processes.slurmJob() == null ? 0 : 1);
            if (named != 1) {
                errors.add(new FieldError("processes", "give one of pids, a cpuset or a slurmJob"));
            }
        }
        boolean toOnline = Boolean.TRUE.equals(online);
        if (toOnline && Boolean.TRUE.equals(offline)) {
            errors.add(new FieldError("online", "give offline or online, not both"));
        }
        if (toOnline && processes != null) {
            errors.add(new FieldError("processes", "online moves no page: leave processes out"));
        }
        MigrationOptions parsed = OptionsBody.parse(options);
        if (parsed.newCpuset() != null) {
            errors.add(new FieldError(
                    "options.newCpuset", "an evacuation moves no process to another cpuset: leave newCpuset out"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        List<String> names = everyHost ? registered.get() : hosts;
        if (names.isEmpty()) {
            throw new InvalidRequestException(List.of(new FieldError("allHosts", "no host has registered yet")));
        }
        if (names.size() > MAX_HOSTS) {
            throw new InvalidRequestException(
                    List.of(new FieldError("allHosts", "at most " + MAX_HOSTS + " hosts; name them in batches")));
        }
        JobRequest.Target target = processes == null
                ? new JobRequest.Target(names, null, null, null)
                : new JobRequest.Target(names, processes.pids(), processes.cpuset(), processes.slurmJob());
        MemoryState memory = toOnline ? MemoryState.ONLINE : Boolean.TRUE.equals(offline) ? MemoryState.OFFLINE : null;
        return JobRequest.evacuation(name, labels == null ? Map.of() : labels, List.of(target), nodes, parsed, memory);
    }
}
