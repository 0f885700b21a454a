package io.numashift.cli;

import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code numashift evacuate}: empties NUMA nodes of hosts (every process's pages go to the nearest
 * nodes it may use that have room), through {@code POST /api/v1/evacuations}; every process of the
 * hosts unless some are named.
 */
@Command(
        name = "evacuate",
        description = "Empties NUMA nodes of hosts before they go away; prints the job's id, or with --wait follows"
                + " it and exits with its code. --dry-run answers the plan.")
final class EvacuateCommand extends Verb {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Hosts hosts;

    static final class Hosts {
        @Option(names = "--hosts", split = ",", paramLabel = "HOST", description = "the hosts")
        @Nullable
        List<String> names;

        @Option(names = "--all-hosts", description = "every registered host")
        boolean all;
    }

    @Option(names = "--nodes", required = true, split = ",", paramLabel = "NODE", description = "the nodes to empty: 3")
    List<Integer> nodes;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    @Nullable
    Processes processes;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    @Nullable
    Memory memory;

    static final class Memory {
        @Option(names = "--offline", description = "then take the nodes' memory blocks offline")
        boolean offline;

        @Option(names = "--online", description = "instead, bring the nodes' memory blocks back online")
        boolean online;
    }

    @Mixin
    JobOptions job;

    @Mixin
    FollowOptions follow;

    @Override
    public Integer call() {
        return submit("api/v1/evacuations", request(), job, follow);
    }

    ObjectNode request() {
        ObjectNode request = Api.JSON.createObjectNode();
        job.putNameAndLabels(request);
        if (hosts.all) {
            request.put("allHosts", true);
        } else {
            ArrayNode h = request.putArray("hosts");
            hosts.names.forEach(h::add);
        }
        ArrayNode n = request.putArray("nodes");
        nodes.forEach(n::add);
        if (processes != null) {
            processes.putInto(request.putObject("processes"));
        }
        if (memory != null) {
            request.put(memory.online ? "online" : "offline", true);
        }
        ObjectNode options = job.options();
        if (!options.isEmpty()) {
            request.set("options", options);
        }
        return request;
    }
}
