package io.numashift.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What every verb has: the connection, the output format and the streams of the command line. */
abstract class Verb implements Callable<Integer> {
    @ParentCommand
    NumashiftCli cli;

    @Mixin
    Connection connection;

    @Mixin
    Output output;

    Api api() {
        return connection.api(cli.env());
    }

    /** Follows the job to its end, prints it and answers the exit code of its end. */
    int follow(Api api, String id, @Nullable Duration timeout) {
        Progress progress = new Progress(cli.err(), Progress.onTerminal());
        JsonNode job = JobFollower.toEnd(api, id, timeout, progress);
        printJob(job);
        return ExitCodes.ofState(job.path("state").asString());
    }

    /**
     * Ends a verb that made or changed a job: follows it with {@code --wait}, or prints it (its id
     * alone as text, for {@code ID=$(numashift …)}).
     */
    int answer(Api api, JsonNode job, FollowOptions follow) {
        String id = job.path("id").asString();
        if (follow.await) {
            return follow(api, id, follow.timeout);
        }
        if (output.json()) {
            Output.printJson(cli.out(), job);
        } else {
            cli.out().println(id);
        }
        return ExitCodes.OK;
    }

    /** Submits a request that makes a job, with its idempotency key, and ends as {@link #answer} does. */
    int submit(String path, ObjectNode request, JobOptions options, FollowOptions follow) {
        String body = Api.JSON.writeValueAsString(request);
        Api api = api();
        return answer(api, api.post(path, body, options.headers(cli.env(), body)), follow);
    }

    void printJob(JsonNode job) {
        if (output.json()) {
            Output.printJson(cli.out(), job);
        } else {
            Output.printJob(cli.out(), job);
        }
    }
}
