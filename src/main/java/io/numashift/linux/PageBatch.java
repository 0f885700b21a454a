package io.numashift.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The native buffers of one backend, allocated once and reused by every census, move and digest:
 * page addresses, target nodes and statuses for {@code move_pages(2)}, and a read buffer with its
 * I/O vectors for {@code process_vm_readv(2)}. Not thread-safe: callers hold its lock.
 */
final class PageBatch {
    /** Pages per {@code move_pages} call. */
    static final int PAGES = 2048;
    /** Pages per {@code process_vm_readv} call. */
    static final int READ_PAGES = 64;
    /** A status the kernel never writes: the page was not processed. */
    static final int UNTOUCHED = Integer.MIN_VALUE;

    private static final long IOVEC_BYTES = 16;

    final MemorySegment callState;
    final MemorySegment addresses;
    final MemorySegment nodes;
    final MemorySegment status;
    final MemorySegment recheck;
    /** Per entry of a query: the page index in its VMA, and the node it was on (or -1). */
    final long[] page = new long[PAGES];

    final int[] source = new int[PAGES];
    /** Per entry of one move call: the page index and its source node. */
    final long[] movePage = new long[PAGES];

    final int[] moveSource = new int[PAGES];
    /** Per entry of a digest: the content hash, and which entries one read covers. */
    final long[] content = new long[PAGES];
    /** The words of the page being hashed. */
    final long[] words;

    final int[] readEntry = new int[READ_PAGES];
    final MemorySegment data;
    final MemorySegment localIov;
    final MemorySegment remoteIov;

    PageBatch(int pageSize) {
        Arena arena = Arena.ofAuto();
        this.callState = Syscalls.callState(arena);
        this.addresses = arena.allocate(JAVA_LONG, PAGES);
        this.nodes = arena.allocate(JAVA_INT, PAGES);
        this.status = arena.allocate(JAVA_INT, PAGES);
        this.recheck = arena.allocate(JAVA_INT, PAGES);
        this.data = arena.allocate((long) READ_PAGES * pageSize, pageSize);
        this.words = new long[pageSize / Long.BYTES];
        this.localIov = arena.allocate(IOVEC_BYTES, 8);
        this.remoteIov = arena.allocate(IOVEC_BYTES * READ_PAGES, 8);
    }

    void address(int i, long value) {
        addresses.setAtIndex(JAVA_LONG, i, value);
    }

    long address(int i) {
        return addresses.getAtIndex(JAVA_LONG, i);
    }

    int status(int i) {
        return status.getAtIndex(JAVA_INT, i);
    }

    /** Points the local vector at the first {@code bytes} of {@link #data}. */
    void readInto(long bytes) {
        localIov.set(ADDRESS, 0, data);
        localIov.set(JAVA_LONG, 8, bytes);
    }

    /** The remote vectors from number {@code first} on. */
    MemorySegment remoteFrom(int first) {
        return remoteIov.asSlice(first * IOVEC_BYTES);
    }

    /** Sets remote vector {@code i} to one page at {@code address}. */
    void readFrom(int i, long address, int pageSize) {
        remoteIov.set(JAVA_LONG, i * IOVEC_BYTES, address);
        remoteIov.set(JAVA_LONG, i * IOVEC_BYTES + 8, pageSize);
    }
}
