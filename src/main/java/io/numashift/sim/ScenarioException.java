package io.numashift.sim;

/** A scenario breaks a rule; the message names the host, the process and the field. */
public class ScenarioException extends IllegalArgumentException {
    public ScenarioException(String message) {
        super(message);
    }
}
