package io.numashift.cli;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * How a command prints its answer on standard output: {@code text} for people (the default), or
 * {@code json}, the service's own JSON, for scripts.
 */
final class Output {
    enum Format {
        text,
        json
    }

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = "text (default) or json: the service's JSON, for scripts")
    Format format = Format.text;

    boolean json() {
        return format == Format.json;
    }

    static void printJson(PrintStream out, JsonNode node) {
        out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    }

    /** A job: its state and progress, a line per host, and what failed. */
    static void printJob(PrintStream out, JsonNode job) {
        JsonNode p = job.path("progress");
        String name = job.path("name").asString("");
        out.println(
                "job " + job.path("id").asString() + "  " + job.path("state").asString()
                        + (job.path("dryRun").asBoolean() ? "  (dry run)" : "") + (name.isEmpty() ? "" : "  " + name));
        out.println("  hosts %d/%d, processes %d/%d, pages moved %,d of %,d, skipped %,d, failed %,d (%.1f%%)"
                .formatted(
                        p.path("hostsDone").asLong(),
                        p.path("hostsTotal").asLong(),
                        p.path("processesDone").asLong(),
                        p.path("processesTotal").asLong(),
                        p.path("pagesMoved").asLong(),
                        p.path("pagesToMove").asLong(),
                        p.path("pagesSkipped").asLong(),
                        p.path("pagesFailed").asLong(),
                        p.path("percent").asDouble()));
        for (JsonNode task : job.path("tasks")) {
            long moved = 0;
            for (JsonNode process : task.path("processes")) {
                moved += process.path("pagesMoved").asLong();
            }
            String error = task.path("error").isNull() || task.path("error").isMissingNode()
                    ? ""
                    : "  " + task.path("error").asString(task.path("error").toString());
            out.println("  %-20s %-17s processes %d, pages moved %,d%s"
                    .formatted(
                            task.path("host").asString(),
                            task.path("state").asString(),
                            task.path("processes").size(),
                            moved,
                            error));
            for (JsonNode node : task.path("evacuated")) {
                boolean used = node.path("usedBefore").isNumber();
                out.println("    node %d: %,d pages %s before, %,d after%s"
                        .formatted(
                                node.path("node").asInt(),
                                node.path(used ? "usedBefore" : "pagesBefore").asLong(),
                                used ? "in use" : "of its processes",
                                node.path(used ? "usedAfter" : "pagesAfter").asLong(),
                                memory(node.path("memory"))));
            }
        }
        JsonNode failures = job.path("failures");
        if (!failures.isEmpty()) {
            out.println("failures:");
            for (JsonNode failure : failures) {
                String pid = failure.path("pid").isNumber()
                        ? " pid " + failure.path("pid").asLong()
                        : "";
                out.println("  " + failure.path("host").asString() + pid + "  "
                        + failure.path("code").asString() + "  "
                        + failure.path("message").asString(""));
            }
        }
    }

    /** One line of a job summary, as the job list gives it. */
    static void printJobLine(PrintStream out, JsonNode job) {
        out.println("%-36s  %-16s %6.1f%%  %-20s  %s"
                .formatted(
                        job.path("id").asString(),
                        job.path("state").asString(),
                        job.path("progress").path("percent").asDouble(),
                        job.path("createdAt").asString(""),
                        job.path("name").asString("")));
    }

    /** One line of a host: its state, backend, free pages per node and the task it runs. */
    static void printHostLine(PrintStream out, JsonNode host) {
        StringBuilder nodes = new StringBuilder();
        for (JsonNode node : host.path("nodes")) {
            nodes.append(nodes.isEmpty() ? "" : " ")
                    .append(node.path("id").asLong())
                    .append(':')
                    .append("%,d/%,d"
                            .formatted(
                                    node.path("freePages").asLong(),
                                    node.path("capacityPages").asLong()));
        }
        JsonNode task = host.path("runningTask");
        out.println("%-20s %-8s %-10s %s%s"
                .formatted(
                        host.path("name").asString(),
                        host.path("state").asString(),
                        host.path("backend").asString(""),
                        nodes,
                        task.isNull() || task.isMissingNode() ? "" : "  running " + describe(task)));
    }

    private static String describe(JsonNode task) {
        if (task.isString()) {
            return task.asString();
        }
        StringBuilder text = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = task.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isValueNode()) {
                text.append(text.isEmpty() ? "" : " ")
                        .append(field.getKey())
                        .append('=')
                        .append(field.getValue().asString());
            }
        }
        return text.toString();
    }

    /** An evacuated node's memory blocks, as {@code ", 4 of 4 memory blocks offline"}; nothing without them. */
    private static String memory(JsonNode memory) {
        if (memory.isMissingNode() || memory.isNull()) {
            return "";
        }
        String errno =
                memory.path("errno").isString() ? " (" + memory.path("errno").asString() + ")" : "";
        return ", %d of %d memory blocks %s%s"
                .formatted(
                        memory.path("inState").asInt(),
                        memory.path("blocks").asInt(),
                        memory.path("state").asString().toLowerCase(Locale.ROOT),
                        errno);
    }
}
