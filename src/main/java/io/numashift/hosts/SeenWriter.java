package io.numashift.hosts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Writes the hosts' signs of life, one round every third of {@code numashift.hosts.unknown-after}. */
@Component
class SeenWriter {
    private static final Logger log = LoggerFactory.getLogger(SeenWriter.class);

    private final HostRegistry registry;

    SeenWriter(HostRegistry registry) {
        this.registry = registry;
    }

    @Scheduled(fixedDelayString = "#{@hostRegistry.seenInterval().toMillis()}")
    void write() {
        try {
            registry.writeSeen();
        } catch (RuntimeException e) {
            // The database may be away for a while; the next round writes what was heard since.
            log.warn("marking hosts seen failed: {}", e.toString());
        }
    }
}
