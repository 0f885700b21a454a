package io.numashift.cli;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout} of the verbs that make or change a job. */
final class FollowOptions {
    @Option(names = "--wait", description = "follow the job to its end and exit with its code")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "with --wait: give up waiting after this")
    @Nullable
    Duration timeout;
}
