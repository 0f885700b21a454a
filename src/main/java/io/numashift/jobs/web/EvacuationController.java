package io.numashift.jobs.web;

import io.numashift.jobs.JobService;
import io.numashift.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Evacuations over HTTP: {@code POST /api/v1/evacuations} submits a job that empties nodes
 * (docs/evacuation.md); it is read, watched, cancelled and retried as every job, under {@code
 * /api/v1/jobs}.
 */
@RestController
@RequestMapping(path = "/api/v1/evacuations", produces = MediaType.APPLICATION_JSON_VALUE)
class EvacuationController {
    private final JobService jobs;
    private final JobViews views;

    EvacuationController(JobService jobs, JobViews views) {
        this.jobs = jobs;
        this.views = views;
    }

    @Operation(summary = "Submit an evacuation: empty NUMA nodes of hosts (operator)")
    @ApiResponse(
            responseCode = "201",
            description = "the evacuation's job, queued",
            headers = {
                @Header(name = "Location", description = "/api/v1/jobs/{id}"),
                @Header(name = "X-Job-Version", description = "the job's version")
            })
    @ApiResponse(responseCode = "200", description = "an earlier submit with the same Idempotency-Key and body")
    @ApiResponse(responseCode = "409", description = "IDEMPOTENCY_CONFLICT: the key was used with another body")
    @ApiResponse(responseCode = "422", description = "UNKNOWN_HOST: a host never registered")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<JobView> submit(
            @Valid @RequestBody SubmitEvacuationBody body,
            @Parameter(description = "a second submit with the same key and body returns the first job")
                    @RequestHeader(name = "Idempotency-Key", required = false)
                    @Nullable
                    @Pattern(
                            regexp = JobController.IDEMPOTENCY_KEY,
                            message = "1 to 255 printable ASCII characters without spaces")
                    String idempotencyKey,
            HttpServletRequest http) {
        return JobController.submitted(
                jobs.submit(body.toRequest(jobs::hostNames), Caller.of(http).name(), idempotencyKey), views);
    }
}
