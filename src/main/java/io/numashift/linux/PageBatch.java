package io.numashift.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The buffers of one lane ({@link Lanes}), allocated once and reused by every census, move and
 * digest: page addresses, target nodes and statuses for {@code move_pages(2)}, and, from the
 * first digest on, a read buffer with its I/O vectors for {@code process_vm_readv(2)}. A lane
 * works one span of {@value #PAGES} pages of address space at a time. Not thread-safe: one lane,
 * one thread at a time.
 */
final class PageBatch {
    /** Pages of address space a lane works at a time, and so the most pages of one {@code move_pages} call. */
    static final int PAGES = 4096;
    /** Pages per {@code process_vm_readv} call: one I/O vector each, the most the kernel takes ({@code UIO_MAXIOV}). */
    static final int READ_PAGES = 1024;
    /** A status the kernel never writes: the page was not processed. */
    static final int UNTOUCHED = Integer.MIN_VALUE;
    /** An outcome of a move: someone else moved the page off the nodes the migration moves from. */
    static final int MOVED_AWAY = Integer.MIN_VALUE + 1;
    /** An outcome of a move: the page is on another node the migration moves from, and stays pending. */
    static final int LEFT = Integer.MIN_VALUE + 2;

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
    /** Per move entry: the query entry it is. */
    final int[] moveEntry = new int[PAGES];
    /** Per query entry that was to move: the kernel's final status, and whether its call found the target full. */
    final int[] outcome = new int[PAGES];

    final boolean[] fullCall = new boolean[PAGES];
    /** This lane's span in the round: pages {@code [spanFirst, spanEnd)} of the VMA. */
    long spanFirst;

    long spanEnd;
    /** Entries collected in this lane's span. */
    int count;
    /** The digest of this lane's span. */
    long sum;
    /** Per entry of a digest: the content hash. */
    final long[] content = new long[PAGES];
    /** The words of the page being hashed. */
    final long[] words;

    final int[] readEntry = new int[READ_PAGES];
    /** Entries of a query that the kernel read as not present while {@code pagemap} says present. */
    final int[] hiddenEntry = new int[PAGES];
    /** Their addresses and statuses for a second query. */
    final MemorySegment hiddenAddresses;
    /** Entries of a move call that did not reach the target, their addresses and statuses for a second look. */
    final int[] busyEntry = new int[PAGES];

    final MemorySegment busyAddresses;

    final MemorySegment busyStatus;

    final MemorySegment hiddenStatus;
    /** {@code /proc/<pid>/pagemap} entries of a span, little-endian. */
    final ByteBuffer pagemap = ByteBuffer.allocate(PAGES * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final int pageSize;
    private @Nullable MemorySegment data;
    private @Nullable MemorySegment localIov;
    private @Nullable MemorySegment remoteIov;

    PageBatch(int pageSize) {
        this.arena = Arena.ofAuto();
        this.pageSize = pageSize;
        this.callState = Syscalls.callState(arena);
        this.addresses = arena.allocate(JAVA_LONG, PAGES);
        this.nodes = arena.allocate(JAVA_INT, PAGES);
        this.status = arena.allocate(JAVA_INT, PAGES);
        this.recheck = arena.allocate(JAVA_INT, PAGES);
        this.hiddenAddresses = arena.allocate(JAVA_LONG, PAGES);
        this.hiddenStatus = arena.allocate(JAVA_INT, PAGES);
        this.busyAddresses = arena.allocate(JAVA_LONG, PAGES);
        this.busyStatus = arena.allocate(JAVA_INT, PAGES);
        this.words = new long[pageSize / Long.BYTES];
    }

    /** The read buffer ({@value #READ_PAGES} pages), allocated on first use: only content digests read pages. */
    MemorySegment data() {
        if (data == null) {
            data = arena.allocate((long) READ_PAGES * pageSize, pageSize);
            localIov = arena.allocate(IOVEC_BYTES, 8);
            remoteIov = arena.allocate(IOVEC_BYTES * READ_PAGES, 8);
        }
        return data;
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
    MemorySegment readInto(long bytes) {
        MemorySegment buffer = data();
        MemorySegment iov = Objects.requireNonNull(localIov);
        iov.set(ADDRESS, 0, buffer);
        iov.set(JAVA_LONG, 8, bytes);
        return iov;
    }

    /** The remote vectors from number {@code first} on. */
    MemorySegment remoteFrom(int first) {
        return Objects.requireNonNull(remoteIov).asSlice(first * IOVEC_BYTES);
    }

    /** Sets remote vector {@code i} to one page at {@code address}. */
    void readFrom(int i, long address) {
        readFrom(i, address, pageSize);
    }

    /** Sets remote vector {@code i} to {@code bytes} at {@code address}. */
    void readFrom(int i, long address, long bytes) {
        data();
        MemorySegment iov = Objects.requireNonNull(remoteIov);
        iov.set(JAVA_LONG, i * IOVEC_BYTES, address);
        iov.set(JAVA_LONG, i * IOVEC_BYTES + 8, bytes);
    }
}
