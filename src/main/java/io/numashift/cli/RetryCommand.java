package io.numashift.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "retry",
        description = "Submits a new job for the hosts and processes of a job that did not succeed; prints its id.")
final class RetryCommand extends Verb {
    @Parameters(paramLabel = "JOB", description = "the job to retry")
    String id;

    @Mixin
    FollowOptions follow;

    @Override
    public Integer call() {
        Api api = api();
        return answer(api, api.post("api/v1/jobs/" + JobIds.checked(id) + "/retry", null, Map.of()), follow);
    }
}
