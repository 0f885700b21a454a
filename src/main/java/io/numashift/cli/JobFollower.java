package io.numashift.cli;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Follows a job to its end with blocking reads ({@code GET /api/v1/jobs/{id}?index=V&wait=…}):
 * each answers as soon as the job changes, so that a follower costs one open request and sees
 * every change, and a replica that goes away is left for the next URL at the next read.
 */
final class JobFollower {
    private static final Duration LONGEST_READ = Duration.ofSeconds(30);

    private JobFollower() {}

    /**
     * The job once it has ended.
     *
     * @throws CliException with {@link ExitCodes#TIMEOUT} when {@code timeout} passes first
     */
    static JsonNode toEnd(Api api, String id, @Nullable Duration timeout, Progress progress) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        String path = "api/v1/jobs/" + JobIds.checked(id);
        JsonNode job = api.get(path);
        try {
            while (true) {
                progress.show(job);
                String state = job.path("state").asString();
                if (ExitCodes.terminal(state)) {
                    return job;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new CliException(
                            ExitCodes.TIMEOUT,
                            "job " + id + " is still " + state + " after " + timeout.toSeconds()
                                    + " s; it goes on (numashift wait " + id + ")");
                }
                Duration wait = Duration.ofNanos(Math.min(left, LONGEST_READ.toNanos()));
                long millis = Math.max(1, wait.toMillis());
                job = api.getWaiting(path + "?index=" + job.path("version").asLong() + "&wait=" + millis + "ms", wait);
            }
        } finally {
            progress.end();
        }
    }
}
