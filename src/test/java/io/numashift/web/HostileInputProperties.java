package io.numashift.web;

import java.util.List;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link HostileInputContract} on H2, the service's own database, kept in a directory of this run
 * under {@code target/hostile-input/}: 1,500 hostile requests, each checked against the OpenAPI
 * document and against what the service stores.
 */
@PropertyDefaults(tries = 1500)
class HostileInputProperties extends HostileInputContract {

    @BeforeContainer
    static void startService() {
        start("H2", List.of());
    }

    @AfterContainer
    static void stopService() {
        stop();
    }
}
