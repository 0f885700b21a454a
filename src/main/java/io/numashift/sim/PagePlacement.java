package io.numashift.sim;

import static io.numashift.core.backend.PageSet.BLOCK_PAGES;
import static io.numashift.core.backend.PageSet.BLOCK_SHIFT;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Which node each page of a memory object is on, or that it is not present.
 *
 * <p>Pages are kept in chunks of {@link io.numashift.core.backend.PageSet#BLOCK_PAGES} pages, the
 * block size of page sets, so that the two line up. A chunk is either uniform (every page on one
 * node, or none present: a few bytes whatever its size) or dense (one byte of node id per page and
 * one presence bit per page). Contiguous placement therefore costs per chunk, not per page, and
 * the worst case (every page on another node than its neighbour) costs 1.125 bytes per page.
 */
final class PagePlacement {
    static final int ABSENT = -1;
    private static final int WORDS = BLOCK_PAGES / 64;
    /** Eight node bytes of a dense chunk read as one long. */
    private static final VarHandle EIGHT_NODES =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long pages;
    private final short[] uniform;
    private final byte[][] nodes;
    private final long[][] present;

    PagePlacement(long pages) {
        this.pages = pages;
        int chunks = (int) ((pages + BLOCK_PAGES - 1) >>> BLOCK_SHIFT);
        this.uniform = new short[chunks];
        this.nodes = new byte[chunks][];
        this.present = new long[chunks][];
        Arrays.fill(uniform, (short) ABSENT);
    }

    long pages() {
        return pages;
    }

    static int chunkOf(long page) {
        return (int) (page >>> BLOCK_SHIFT);
    }

    static long chunkStart(int chunk) {
        return (long) chunk << BLOCK_SHIFT;
    }

    long chunkEnd(int chunk) {
        return Math.min(pages, chunkStart(chunk) + BLOCK_PAGES);
    }

    /** Whether a chunk is uniform; then {@link #uniformNode} tells its node or {@link #ABSENT}. */
    boolean isUniform(int chunk) {
        return nodes[chunk] == null;
    }

    int uniformNode(int chunk) {
        return uniform[chunk];
    }

    int node(long page) {
        int chunk = chunkOf(page);
        byte[] dense = nodes[chunk];
        if (dense == null) {
            return uniform[chunk];
        }
        int offset = (int) (page & (BLOCK_PAGES - 1));
        if ((present[chunk][offset >>> 6] & (1L << offset)) == 0) {
            return ABSENT;
        }
        return dense[offset] & 0xFF;
    }

    /** The node bytes of a dense chunk, by offset in the chunk (unsigned). */
    byte[] denseNodes(int chunk) {
        return nodes[chunk];
    }

    /** The presence bits of a dense chunk, by offset in the chunk. */
    long[] presentBits(int chunk) {
        return present[chunk];
    }

    /** Node of a page of a dense chunk, by offset in the chunk. */
    int denseNode(int chunk, int offset) {
        if ((present[chunk][offset >>> 6] & (1L << offset)) == 0) {
            return ABSENT;
        }
        return nodes[chunk][offset] & 0xFF;
    }

    void setDenseNode(int chunk, int offset, int node) {
        nodes[chunk][offset] = (byte) node;
        present[chunk][offset >>> 6] |= 1L << offset;
    }

    /** Sets one page; the chunk becomes dense unless it stays uniform. */
    void set(long page, int node) {
        int chunk = chunkOf(page);
        if (nodes[chunk] == null) {
            if (uniform[chunk] == node) {
                return;
            }
            densify(chunk);
        }
        int offset = (int) (page & (BLOCK_PAGES - 1));
        if (node == ABSENT) {
            present[chunk][offset >>> 6] &= ~(1L << offset);
        } else {
            setDenseNode(chunk, offset, node);
        }
    }

    /** Sets pages {@code [from, to)} to one node (or absent). */
    void fill(long from, long to, int node) {
        long page = from;
        while (page < to) {
            int chunk = chunkOf(page);
            long end = Math.min(to, chunkEnd(chunk));
            if (page == chunkStart(chunk) && end == chunkEnd(chunk)) {
                uniform[chunk] = (short) node;
                nodes[chunk] = null;
                present[chunk] = null;
            } else if (nodes[chunk] != null || uniform[chunk] != node) {
                densify(chunk);
                int from0 = (int) (page - chunkStart(chunk));
                int to0 = (int) (end - chunkStart(chunk));
                long[] bits = present[chunk];
                if (node != ABSENT) {
                    Arrays.fill(nodes[chunk], from0, to0, (byte) node);
                }
                for (int w = from0 >>> 6; w <= (to0 - 1) >>> 6; w++) {
                    long mask = SimulatedMemory.wordMask(w, from0, to0);
                    bits[w] = node == ABSENT ? bits[w] & ~mask : bits[w] | mask;
                }
            }
            page = end;
        }
    }

    /** Makes a uniform chunk dense, so that single pages can change. */
    void densify(int chunk) {
        if (nodes[chunk] != null) {
            return;
        }
        byte[] dense = new byte[BLOCK_PAGES];
        long[] bits = new long[WORDS];
        int node = uniform[chunk];
        if (node != ABSENT) {
            Arrays.fill(dense, (byte) node);
            Arrays.fill(bits, -1L);
        }
        nodes[chunk] = dense;
        present[chunk] = bits;
    }

    /** Sets a whole chunk to one node, dropping its dense form. */
    void makeUniform(int chunk, int node) {
        uniform[chunk] = (short) node;
        nodes[chunk] = null;
        present[chunk] = null;
    }

    /**
     * The node of the 64 pages of a dense chunk's node bytes from {@code first} (a multiple of
     * 64), or {@link #ABSENT} when they are not all on one node: eight reads of eight bytes, so
     * that a contiguous run in a dense chunk is worked a word at a time.
     */
    static int nodeOfWord(byte[] dense, int first) {
        long eight = (long) EIGHT_NODES.get(dense, first);
        if (eight != (eight & 0xFF) * 0x0101010101010101L) {
            return ABSENT;
        }
        for (int k = 8; k < 64; k += 8) {
            if ((long) EIGHT_NODES.get(dense, first + k) != eight) {
                return ABSENT;
            }
        }
        return (int) (eight & 0xFF);
    }

    /** Bytes of heap this placement holds, for memory measurements. */
    long heapBytes() {
        long bytes = 16L + uniform.length * 2L + nodes.length * 8L * 2;
        for (int c = 0; c < nodes.length; c++) {
            if (nodes[c] != null) {
                bytes += 16 + nodes[c].length + 16 + present[c].length * 8L;
            }
        }
        return bytes;
    }
}
