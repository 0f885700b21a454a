package io.numashift.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "cancel",
        description = "Cancels a job: hosts not started end CANCELLED, running ones stop at their next batch.")
final class CancelCommand extends Verb {
    @Parameters(paramLabel = "JOB", description = "the job's id")
    String id;

    @Mixin
    FollowOptions follow;

    @Override
    public Integer call() {
        Api api = api();
        api.post("api/v1/jobs/" + JobIds.checked(id) + "/cancel", null, Map.of());
        if (follow.await) {
            return follow(api, id, follow.timeout);
        }
        cli.err().println("cancelling job " + id);
        return ExitCodes.OK;
    }
}
