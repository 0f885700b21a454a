package io.numashift.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(
        name = "hosts",
        description = "Lists the hosts (state, backend, free/capacity pages per node, the task running), or one.")
final class HostsCommand extends Verb {
    @Parameters(paramLabel = "HOST", arity = "0..1", description = "one host, with its topology")
    @Nullable
    String name;

    @Mixin
    Paging paging;

    @Override
    public Integer call() {
        Api api = api();
        if (name != null) {
            JsonNode host = api.get("api/v1/hosts/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
            if (output.json()) {
                Output.printJson(cli.out(), host);
            } else {
                Output.printHostLine(cli.out(), host);
                cli.out().println("  distances " + host.path("distances"));
            }
            return ExitCodes.OK;
        }
        List<String> query = new ArrayList<>();
        paging.addTo(query);
        JsonNode page = api.get("api/v1/hosts" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        if (output.json()) {
            Output.printJson(cli.out(), page);
            return ExitCodes.OK;
        }
        for (JsonNode host : page.path("items")) {
            Output.printHostLine(cli.out(), host);
        }
        Paging.printMore(cli.err(), "hosts", page);
        return ExitCodes.OK;
    }
}
