package io.numashift.jobs.web;

import io.numashift.jobs.JobQuery;
import io.numashift.jobs.JobService;
import io.numashift.jobs.JobState;
import io.numashift.jobs.JobWatch;
import io.numashift.jobs.MigrationJob;
import io.numashift.security.Caller;
import io.numashift.web.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
@RequestMapping("/api/v1/jobs")
class JobController {
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final int MAX_IDEMPOTENCY_KEY = 255;

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

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<JobView> submit(
            @RequestBody SubmitJobBody body,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            HttpServletRequest http) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            throw new InvalidRequestException("Idempotency-Key", "1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        JobService.Submission submission =
                jobs.submit(body.toRequest(), Caller.of(http).name(), idempotencyKey);
        MigrationJob job = submission.job();
        return ResponseEntity.status(submission.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .location(URI.create("/api/v1/jobs/" + job.id()))
                .header("X-Job-Version", Long.toString(job.version()))
                .body(JobView.of(job));
    }

    @GetMapping("/{id}")
    ResponseEntity<JobView> read(
            @PathVariable String id,
            @RequestParam(required = false) @Nullable Long index,
            @RequestParam(required = false) @Nullable String wait)
            throws InterruptedException {
        UUID jobId = JobIds.parse(id);
        if (index != null) {
            watch.awaitVersionAbove(jobId, index, Waits.parse(wait, MAX_WAIT));
        }
        MigrationJob job = jobs.find(jobId);
        return ResponseEntity.ok()
                .header("X-Job-Version", Long.toString(job.version()))
                .body(JobView.of(job));
    }

    @GetMapping
    Map<String, Object> list(
            @RequestParam(required = false) @Nullable String state,
            @RequestParam(required = false) @Nullable String label,
            @RequestParam(required = false) @Nullable String host,
            @RequestParam(required = false) @Nullable String submittedBy,
            @RequestParam(defaultValue = "50") int limit,
            @RequestParam(required = false) @Nullable String after) {
        if (limit < 1 || limit > 500) {
            throw new InvalidRequestException("limit", "1 to 500");
        }
        JobState stateFilter = null;
        if (state != null) {
            try {
                stateFilter = JobState.valueOf(state);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("state", "one of " + List.of(JobState.values()));
            }
        }
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
                stateFilter,
                labelKey,
                labelValue,
                host,
                submittedBy,
                limit + 1,
                after == null ? null : Cursor.decode(after)));
        boolean more = page.size() > limit;
        List<MigrationJob> items = more ? page.subList(0, limit) : page;
        String next = more ? Cursor.encode(items.getLast()) : null;
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("items", items.stream().map(JobView::summary).toList());
        body.put("next", next);
        return body;
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String id) {
        UUID jobId = JobIds.parse(id);
        jobs.find(jobId);
        return streams.open(jobId);
    }

    @PostMapping("/{id}/cancel")
    ResponseEntity<JobView> cancel(@PathVariable String id) {
        MigrationJob job = jobs.cancel(JobIds.parse(id));
        return ResponseEntity.accepted()
                .header("X-Job-Version", Long.toString(job.version()))
                .body(JobView.of(job));
    }

    @PostMapping("/{id}/retry")
    ResponseEntity<JobView> retry(@PathVariable String id, HttpServletRequest http) {
        MigrationJob job = jobs.retry(JobIds.parse(id), Caller.of(http).name());
        return ResponseEntity.created(URI.create("/api/v1/jobs/" + job.id()))
                .header("X-Job-Version", Long.toString(job.version()))
                .body(JobView.of(job));
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
