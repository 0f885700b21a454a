package io.numashift.cli;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

@Command(name = "list", description = "Lists jobs, newest first, with the API's filters; one page at a time.")
final class ListCommand extends Verb {
    @Option(names = "--state", paramLabel = "STATE", description = "only jobs in this state (RUNNING, FAILED, …)")
    @Nullable
    String state;

    @Option(names = "--label", paramLabel = "KEY:VALUE", description = "only jobs with this label; repeatable")
    List<String> labels = new ArrayList<>();

    @Option(names = "--host", paramLabel = "HOST", description = "only jobs that target this host")
    @Nullable
    String host;

    @Option(names = "--submitted-by", paramLabel = "TOKEN_NAME", description = "only jobs of this token")
    @Nullable
    String submittedBy;

    @Mixin
    Paging paging;

    @Override
    public Integer call() {
        List<String> query = new ArrayList<>();
        Paging.add(query, "state", state);
        labels.forEach(label -> Paging.add(query, "label", label));
        Paging.add(query, "host", host);
        Paging.add(query, "submittedBy", submittedBy);
        paging.addTo(query);
        JsonNode page = api().get("api/v1/jobs" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        if (output.json()) {
            Output.printJson(cli.out(), page);
            return ExitCodes.OK;
        }
        for (JsonNode job : page.path("items")) {
            Output.printJobLine(cli.out(), job);
        }
        Paging.printMore(cli.err(), "list", page);
        return ExitCodes.OK;
    }
}
