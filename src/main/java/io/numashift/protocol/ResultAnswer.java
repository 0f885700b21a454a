package io.numashift.protocol;

/**
 * The service's answer to a result.
 *
 * @param accepted false when the same result had been accepted before (it changed nothing)
 */
public record ResultAnswer(boolean accepted) {}
