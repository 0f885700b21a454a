package io.numashift.jobs.web;

import io.numashift.jobs.JobWatch;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent events of a job: the whole job on connect, then one event per change (coalesced
 * while the client is slow: each event carries the latest job), ending after the terminal state.
 */
@Component
class JobEventStreams {
    private static final Duration ROUND = Duration.ofSeconds(15);

    private final JobViews views;
    private final JobWatch watch;

    JobEventStreams(JobViews views, JobWatch watch) {
        this.views = views;
        this.watch = watch;
    }

    SseEmitter open(UUID id) {
        SseEmitter emitter = new SseEmitter(0L);
        Thread.ofVirtual().name("sse-" + id).start(() -> stream(id, emitter));
        return emitter;
    }

    private void stream(UUID id, SseEmitter emitter) {
        try {
            long sent = -1;
            while (true) {
                JobView job = views.current(id);
                if (job.version() > sent) {
                    emitter.send(SseEmitter.event()
                            .name("job")
                            .id(Long.toString(job.version()))
                            .data(job));
                    sent = job.version();
                }
                if (job.state().isTerminal() || watch.closing()) {
                    emitter.complete();
                    return;
                }
                watch.awaitVersionAbove(id, sent, ROUND);
            }
        } catch (IOException | IllegalStateException e) {
            // The client went away.
            emitter.completeWithError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.complete();
        } catch (RuntimeException e) {
            emitter.completeWithError(e);
        }
    }
}
