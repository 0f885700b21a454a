package io.numashift.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "status",
        description = "Shows a job: its state, progress, hosts and failures. Exit 0 when it could be read.")
final class StatusCommand extends Verb {
    @Parameters(paramLabel = "JOB", description = "the job's id")
    String id;

    @Override
    public Integer call() {
        printJob(api().get("api/v1/jobs/" + JobIds.checked(id)));
        return ExitCodes.OK;
    }
}
