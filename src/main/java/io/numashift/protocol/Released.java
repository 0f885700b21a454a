package io.numashift.protocol;

/**
 * The service's answer to a release.
 *
 * @param released always true: the task is offered again
 */
public record Released(boolean released) {}
