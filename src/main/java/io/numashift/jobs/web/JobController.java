package io.numashift.jobs.web;

import io.numashift.jobs.JobDetails;
import io.numashift.jobs.JobQuery;
import io.numashift.jobs.JobService;
import io.numashift.jobs.JobState;
import io.numashift.jobs.JobWatch;
import io.numashift.jobs.MigrationJob;
import io.numashift.security.Caller;
import io.numashift.web.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Jobs over HTTP: {@code /api/v1/jobs}. */
@RestController
@RequestMapping(path = "/api/v1/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
class JobController {
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** Idempotency keys: 1 to 255 printable ASCII characters without spaces. */
    static final String IDEMPOTENCY_KEY = "[!-~]{1,255}";

    private final JobService jobs;
    private final JobWatch watch;
    private final JobEventStreams streams;
    private final JobViews views;

    JobController(JobService jobs, JobWatch watch, JobEventStreams streams, JobViews views) {
        this.jobs = jobs;
        this.watch = watch;
        this.streams = streams;
        this.views = views;
    }

    /**
     * A page of jobs, newest first.
     *
     * @param items job summaries (without request, tasks and failures)
     * @param next the cursor of the next page ({@code after}), or null on the last page
     */
    record JobPage(List<JobView> items, @Nullable String next) {}

    @Operation(summary = "Submit a job (operator)")
    @ApiResponse(
            responseCode = "201",
            description = "the job, queued",
            headers = {
                @Header(name = "Location", description = "/api/v1/jobs/{id}"),
                @Header(name = "X-Job-Version", description = "the job's version")
            })
    @ApiResponse(responseCode = "200", description = "an earlier submit with the same Idempotency-Key and body")
    @ApiResponse(responseCode = "409", description = "IDEMPOTENCY_CONFLICT: the key was used with another body")
    @ApiResponse(responseCode = "422", description = "UNKNOWN_HOST: a host never registered")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<JobView> submit(
            @Valid @RequestBody SubmitJobBody body,
            @Parameter(description = "a second submit with the same key and body returns the first job")
                    @RequestHeader(name = "Idempotency-Key", required = false)
                    @Nullable
                    @Pattern(regexp = IDEMPOTENCY_KEY, message = "1 to 255 printable ASCII characters without spaces")
                    String idempotencyKey,
            HttpServletRequest http) {
        return submitted(jobs.submit(body.toRequest(), Caller.of(http).name(), idempotencyKey), views);
    }

    /** The answer to a submit: 201 with the new job, or 200 with the one an earlier submit made. */
    static ResponseEntity<JobView> submitted(JobService.Submission submission, JobViews views) {
        MigrationJob job = submission.job().job();
        return ResponseEntity.status(submission.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .location(URI.create("/api/v1/jobs/" + job.id()))
                .header("X-Job-Version", Long.toString(job.version()))
                .body(views.remember(submission.job()));
    }

    @Operation(summary = "Read a job (viewer); with index, wait until its version exceeds index")
    @ApiResponse(
            responseCode = "200",
            description = "the job",
            headers = @Header(name = "X-Job-Version", description = "the job's version"))
    @ApiResponse(responseCode = "404", description = "JOB_NOT_FOUND")
    @GetMapping("/{id}")
    ResponseEntity<JobView> read(
            @PathVariable String id,
            @Parameter(description = "answer once the job's version exceeds this")
                    @RequestParam(required = false)
                    @Nullable
                    @Min(0)
                    Long index,
            @Parameter(description = "how long to wait with index: 30s, 500ms, 2m (at most 60 s)", example = "30s")
                    @RequestParam(required = false)
                    @Nullable
                    String wait)
            throws InterruptedException {
        UUID jobId = JobIds.parse(id);
        if (index != null) {
            watch.awaitVersionAbove(jobId, index, Waits.parse(wait, MAX_WAIT));
        }
        JobView job = views.current(jobId);
        return ResponseEntity.ok()
                .header("X-Job-Version", Long.toString(job.version()))
                .body(job);
    }

    @Operation(summary = "List jobs, newest first (viewer)")
    @ApiResponse(responseCode = "200", description = "a page of job summaries")
    @GetMapping
    JobPage list(
            @RequestParam(required = false) @Nullable JobState state,
            @Parameter(description = "key:value")
                    @RequestParam(required = false)
                    @Nullable
                    @Pattern(regexp = SubmitJobBody.TEXT, message = SubmitJobBody.TEXT_MESSAGE)
                    String label,
            @RequestParam(required = false)
                    @Nullable
                    @Pattern(regexp = SubmitJobBody.TEXT, message = SubmitJobBody.TEXT_MESSAGE)
                    String host,
            @RequestParam(required = false)
                    @Nullable
                    @Pattern(regexp = SubmitJobBody.TEXT, message = SubmitJobBody.TEXT_MESSAGE)
                    String submittedBy,
            @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
            @Parameter(description = "the cursor of the previous page's next") @RequestParam(required = false) @Nullable
                    String after) {
        String labelKey = null;
        String labelValue = null;
        if (label != null) {
            int colon = label.indexOf(':');
            if (colon <= 0) {
                throw new InvalidRequestException("label", "key:value");
            }
            labelKey = label.substring(0, colon);
            labelValue = label.substring(colon + 1);
        }
        List<MigrationJob> page = jobs.list(new JobQuery(
                state,
                labelKey,
                labelValue,
                host,
                submittedBy,
                limit + 1,
                after == null ? null : Cursor.decode(after)));
        boolean more = page.size() > limit;
        List<MigrationJob> items = more ? page.subList(0, limit) : page;
        return new JobPage(items.stream().map(JobView::summary).toList(), more ? Cursor.encode(items.getLast()) : null);
    }

    @Operation(summary = "Follow a job (viewer): the whole job on connect, then on every change, until it ends")
    @ApiResponse(
            responseCode = "200",
            description = "events named job, each with the whole job",
            content =
                    @Content(
                            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                            schema = @Schema(implementation = JobView.class)))
    @ApiResponse(responseCode = "404", description = "JOB_NOT_FOUND")
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String id) {
        UUID jobId = JobIds.parse(id);
        jobs.version(jobId);
        return streams.open(jobId);
    }

    @Operation(summary = "Cancel a job (operator)")
    @ApiResponse(responseCode = "202", description = "the job, cancelling or cancelled")
    @ApiResponse(responseCode = "404", description = "JOB_NOT_FOUND")
    @ApiResponse(responseCode = "409", description = "INVALID_STATE: the job has ended or is cancelling")
    @PostMapping("/{id}/cancel")
    ResponseEntity<JobView> cancel(@PathVariable String id) {
        JobDetails job = jobs.cancel(JobIds.parse(id));
        return ResponseEntity.accepted()
                .header("X-Job-Version", Long.toString(job.job().version()))
                .body(views.remember(job));
    }

    @Operation(summary = "Retry what did not succeed, as a new job (operator)")
    @ApiResponse(
            responseCode = "201",
            description = "the new job",
            headers = @Header(name = "Location", description = "/api/v1/jobs/{id}"))
    @ApiResponse(responseCode = "404", description = "JOB_NOT_FOUND")
    @ApiResponse(responseCode = "409", description = "INVALID_STATE: the job has not ended, or nothing failed")
    @PostMapping("/{id}/retry")
    ResponseEntity<JobView> retry(@PathVariable String id, HttpServletRequest http) {
        JobDetails job = jobs.retry(JobIds.parse(id), Caller.of(http).name());
        return ResponseEntity.created(URI.create("/api/v1/jobs/" + job.job().id()))
                .header("X-Job-Version", Long.toString(job.job().version()))
                .body(views.remember(job));
    }

    /** The opaque cursor of keyset pagination: the creation time and id of the last job of a page. */
    static final class Cursor {
        private Cursor() {}

        static String encode(MigrationJob job) {
            String raw =
                    job.createdAt().getEpochSecond() + ":" + job.createdAt().getNano() + ":" + job.id();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static JobQuery.Position decode(String cursor) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                String[] parts = raw.split(":", 3);
                return new JobQuery.Position(
                        Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
                        UUID.fromString(parts[2]));
            } catch (RuntimeException e) {
                throw new InvalidRequestException("after", "not a cursor this service gave out");
            }
        }
    }
}
