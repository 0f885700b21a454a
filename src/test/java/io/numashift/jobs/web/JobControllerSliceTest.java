package io.numashift.jobs.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.numashift.dispatch.Dispatcher;
import io.numashift.hosts.HostRegistry;
import io.numashift.jobs.JobService;
import io.numashift.jobs.JobWatch;
import io.numashift.security.SecurityTestSupport;
import io.numashift.security.Tokens;
import io.numashift.web.WebSliceSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * The job API's web layer alone (a web slice: no database, no server): bodies, parameters and
 * tokens that are refused are answered with a problem naming the field, and never reach the
 * service. The service and the dispatcher are mocks here only because this slice has no database;
 * the whole service is driven over HTTP by the end-to-end and hostile-input tests.
 */
@WebMvcTest(JobController.class)
@Import({JobViews.class, JobEventStreams.class, WebSliceSupport.class, SecurityTestSupport.class})
class JobControllerSliceTest {
    private static final String OPERATOR = "slice-operator-secret";
    private static final String VIEWER = "slice-viewer-secret";
    private static final String VALID =
            "{\"targets\": [{\"hosts\": [\"h1\"], \"pids\": [1]}], \"oldNodes\": [0], \"newNodes\": [1]}";

    @DynamicPropertySource
    static void tokens(DynamicPropertyRegistry registry) {
        registry.add("numashift.security.tokens[0].name", () -> "ops");
        registry.add("numashift.security.tokens[0].sha256", () -> Tokens.sha256Hex(OPERATOR));
        registry.add("numashift.security.tokens[0].roles", () -> "OPERATOR");
        registry.add("numashift.security.tokens[1].name", () -> "viewer");
        registry.add("numashift.security.tokens[1].sha256", () -> Tokens.sha256Hex(VIEWER));
        registry.add("numashift.security.tokens[1].roles", () -> "VIEWER");
    }

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    JobService jobs;

    @MockitoBean
    JobWatch watch;

    @MockitoBean
    Dispatcher dispatcher;

    /** For the agent protocol's access check, which every web slice has (it is a web configurer). */
    @MockitoBean
    HostRegistry hosts;

    private MvcTestResult submit(String token, String body) {
        return mvc.post()
                .uri("/api/v1/jobs")
                .header("Authorization", "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON)
                .content(body)
                .exchange();
    }

    @Test
    void invalidBodiesAreRefusedNamingTheFieldAndNeverReachTheService() {
        String[][] cases = {
            {VALID.replace("[\"h1\"]", "[null]"), "targets[0].hosts[0]"},
            {VALID.replace("\"newNodes\": [1]", "\"newNodes\": [2.5]"), "newNodes[0]"},
            {VALID.replace("\"pids\": [1]", "\"pids\": [\"1\"]"), "targets[0].pids[0]"},
            {VALID.replace("\"newNodes\": [1]", "\"newNodes\": [1], \"nodes\": 1"), "nodes"},
            {"{\"options\": {\"dryRun\": true}, \"options\": null}", "options"},
            {"{\"targets\": [], \"oldNodes\": [0], \"newNodes\": [1]}", "targets"},
        };
        for (String[] c : cases) {
            MvcTestResult result = submit(OPERATOR, c[0]);

            assertThat(result).as(c[0]).hasStatus(400);
            assertThat(result)
                    .as(c[0])
                    .bodyText()
                    .contains("\"code\":\"EINVAL\"")
                    .contains(c[1]);
            assertThat(result.getResponse().getContentType()).as(c[0]).startsWith("application/problem+json");
        }
        verify(jobs, never()).submit(any(), any(), any());
    }

    @Test
    void aViewerCannotSubmitAndNothingReachesTheService() {
        MvcTestResult result = submit(VIEWER, VALID);

        assertThat(result).hasStatus(403);
        assertThat(result).bodyText().contains("\"code\":\"EPERM\"");
        verifyNoInteractions(jobs);
    }

    @Test
    void invalidListParametersAreRefusedNamingTheParameter() {
        String[][] cases = {
            {"/api/v1/jobs?limit=0", "limit"},
            {"/api/v1/jobs?limit=501", "limit"},
            {"/api/v1/jobs?state=DONE", "state"},
            {"/api/v1/jobs?label=nocolon", "label"},
            {"/api/v1/jobs?after=not-a-cursor", "after"},
        };
        for (String[] c : cases) {
            MvcTestResult result = mvc.get()
                    .uri(c[0])
                    .header("Authorization", "Bearer " + VIEWER)
                    .exchange();

            assertThat(result).as(c[0]).hasStatus(400);
            assertThat(result).as(c[0]).bodyText().contains(c[1]);
        }
        verifyNoInteractions(jobs);
    }

    @Test
    void aJobIdThatIsNotAUuidIsAJobThatDoesNotExistWithoutAskingTheService() {
        MvcTestResult result = mvc.get()
                .uri("/api/v1/jobs/not-a-uuid")
                .header("Authorization", "Bearer " + VIEWER)
                .exchange();

        assertThat(result).hasStatus(404);
        assertThat(result).bodyText().contains("JOB_NOT_FOUND");
        verifyNoInteractions(jobs);
    }
}
