package io.numashift.core;

/**
 * A range {@code [start, end)} of a process's virtual address space, in bytes.
 *
 * @param start the first address
 * @param end the address after the last byte
 */
public record AddressRange(long start, long end) {}
