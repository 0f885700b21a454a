package io.numashift.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import tools.jackson.databind.JsonNode;

/**
 * What a command that follows a job shows while it runs, on standard error so that standard
 * output keeps the answer alone: a bar redrawn in place on a terminal, otherwise a plain line per
 * change of state or whole percent (for logs of batch jobs).
 */
final class Progress {
    private static final int BAR = 30;

    private final PrintStream err;
    private final boolean terminal;
    private String last = "";
    private boolean drawn;

    Progress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether standard error is a terminal as far as the JVM can tell (stdin and stdout are). */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    void show(JsonNode job) {
        String state = job.path("state").asString();
        JsonNode p = job.path("progress");
        double percent = p.path("percent").asDouble();
        String counts = "hosts %d/%d, pages %,d of %,d"
                .formatted(
                        p.path("hostsDone").asLong(),
                        p.path("hostsTotal").asLong(),
                        p.path("pagesMoved").asLong(),
                        p.path("pagesToMove").asLong());
        if (terminal) {
            int filled = (int) Math.round(Math.min(100, Math.max(0, percent)) * BAR / 100);
            err.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] "
                    + "%5.1f%% %-16s %s".formatted(percent, state, counts) + "  ");
            err.flush();
            drawn = true;
            return;
        }
        String line = state + " " + (int) percent + "%";
        if (!line.equals(last)) {
            last = line;
            err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " job "
                    + job.path("id").asString() + " " + state + " %.1f%% (%s)".formatted(percent, counts));
        }
    }

    /** Ends the bar's line, so that what follows starts on a line of its own. */
    void end() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }
}
