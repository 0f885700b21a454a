package io.numashift.cli;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "wait",
        description = "Follows a job to its end and exits with its code: 0 succeeded, 1 failed, 2 partially"
                + " failed, 3 cancelled, 4 when --timeout passes first.")
final class WaitCommand extends Verb {
    @Parameters(paramLabel = "JOB", description = "the job's id")
    String id;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "give up waiting after this (90s, 5m, 2h)")
    @Nullable
    Duration timeout;

    @Override
    public Integer call() {
        return follow(api(), id, timeout);
    }
}
