package io.numashift.jobs;

/** A state change that the job or task life cycle does not allow; names both states. */
public class IllegalTransitionException extends RuntimeException {
    public IllegalTransitionException(String what, Enum<?> from, Enum<?> to) {
        super(what + " cannot go from " + from + " to " + to);
    }
}
