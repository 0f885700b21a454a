package io.numashift.cli;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code --limit} and {@code --after} of the verbs that list a page of the API's keyset paging. */
final class Paging {
    @Option(names = "--limit", paramLabel = "N", description = "items per page (default 50, at most 500)")
    @Nullable
    Integer limit;

    @Option(names = "--after", paramLabel = "CURSOR", description = "the page after this cursor (printed as more)")
    @Nullable
    String after;

    void addTo(List<String> query) {
        add(query, "limit", limit == null ? null : limit.toString());
        add(query, "after", after);
    }

    /** Says how to read the next page, when there is one. */
    static void printMore(PrintStream err, String verb, JsonNode page) {
        JsonNode next = page.path("next");
        if (next.isString()) {
            err.println("more: numashift " + verb + " --after " + next.asString());
        }
    }

    static void add(List<String> query, String name, @Nullable String value) {
        if (value != null) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
