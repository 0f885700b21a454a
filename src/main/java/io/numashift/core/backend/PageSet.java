package io.numashift.core.backend;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A set of page indices of one VMA, kept in blocks of {@value #BLOCK_PAGES} pages that are empty,
 * full or a bitmap, so that whole runs cost one block and a fragmented set one bit per page.
 *
 * <p>Indices are longs: a VMA may be far larger than 2^31 pages (sparse reservations).
 */
public final class PageSet {
    /** Pages per block; backends that keep pages in chunks of this size can work block by block. */
    public static final int BLOCK_SHIFT = 16;

    public static final int BLOCK_PAGES = 1 << BLOCK_SHIFT;

    private static final int WORDS = BLOCK_PAGES / 64;
    private static final long[] FULL = filled();

    private final long size;
    private final long[][] blocks;

    public PageSet(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        this.size = size;
        long count = (size + BLOCK_PAGES - 1) >>> BLOCK_SHIFT;
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("VMA too large for a page set: " + size + " pages");
        }
        this.blocks = new long[(int) count][];
    }

    public long size() {
        return size;
    }

    public boolean get(long page) {
        long[] words = blocks[(int) (page >>> BLOCK_SHIFT)];
        if (words == null) {
            return false;
        }
        int bit = (int) (page & (BLOCK_PAGES - 1));
        return (words[bit >>> 6] & (1L << bit)) != 0;
    }

    public void set(long page) {
        int b = (int) (page >>> BLOCK_SHIFT);
        long[] words = writable(b, false);
        int bit = (int) (page & (BLOCK_PAGES - 1));
        words[bit >>> 6] |= 1L << bit;
    }

    public void clear(long page) {
        int b = (int) (page >>> BLOCK_SHIFT);
        if (blocks[b] == null) {
            return;
        }
        long[] words = writable(b, true);
        int bit = (int) (page & (BLOCK_PAGES - 1));
        words[bit >>> 6] &= ~(1L << bit);
    }

    /** Adds pages {@code [from, to)}. */
    public void set(long from, long to) {
        update(from, to, true);
    }

    /** Removes pages {@code [from, to)}. */
    public void clear(long from, long to) {
        update(from, to, false);
    }

    /** How many pages of {@code [from, to)} are in the set. */
    public long count(long from, long to) {
        long total = 0;
        long page = from;
        while (page < to) {
            int b = (int) (page >>> BLOCK_SHIFT);
            long blockStart = (long) b << BLOCK_SHIFT;
            long blockEnd = Math.min(to, blockStart + BLOCK_PAGES);
            long[] words = blocks[b];
            if (words == FULL) {
                total += blockEnd - page;
            } else if (words != null) {
                for (long p = page; p < blockEnd; ) {
                    int bit = (int) (p - blockStart);
                    int w = bit >>> 6;
                    int lo = bit & 63;
                    int hi = (int) Math.min(64, lo + (blockEnd - p));
                    long mask = rangeMask(lo, hi);
                    total += Long.bitCount(words[w] & mask);
                    p += hi - lo;
                }
            }
            page = blockEnd;
        }
        return total;
    }

    public long count() {
        return count(0, size);
    }

    /**
     * The end of the shortest range {@code [from, end)} that holds {@code pages} pages of the set,
     * or {@code to} when {@code [from, to)} holds fewer. Whole blocks cost one step, bitmaps a word
     * of 64 pages.
     */
    public long endOfFirst(long from, long to, long pages) {
        if (pages <= 0) {
            return from;
        }
        long remaining = pages;
        long page = from;
        while (page < to) {
            int b = (int) (page >>> BLOCK_SHIFT);
            long blockStart = (long) b << BLOCK_SHIFT;
            long blockEnd = Math.min(to, blockStart + BLOCK_PAGES);
            long[] words = blocks[b];
            if (words == FULL) {
                if (blockEnd - page >= remaining) {
                    return page + remaining;
                }
                remaining -= blockEnd - page;
            } else if (words != null) {
                for (long p = page; p < blockEnd; ) {
                    int bit = (int) (p - blockStart);
                    int lo = bit & 63;
                    int hi = (int) Math.min(64, lo + (blockEnd - p));
                    long bits = words[bit >>> 6] & rangeMask(lo, hi);
                    int here = Long.bitCount(bits);
                    if (here >= remaining) {
                        for (long skip = remaining - 1; skip > 0; skip--) {
                            bits &= bits - 1;
                        }
                        return p - lo + Long.numberOfTrailingZeros(bits) + 1;
                    }
                    remaining -= here;
                    p += hi - lo;
                }
            }
            page = blockEnd;
        }
        return to;
    }

    /** Whether block {@code b} holds every one of its pages. */
    public boolean blockFull(int b) {
        return blocks[b] == FULL;
    }

    /** Whether block {@code b} holds none of its pages. */
    public boolean blockEmpty(int b) {
        return blocks[b] == null;
    }

    /**
     * The words of block {@code b} for reading, or null when the block is empty. The array may be
     * shared: callers must not modify it.
     */
    public long @Nullable [] readWords(int b) {
        return blocks[b];
    }

    /** The words of block {@code b} for changing in place (bit {@code i} is page {@code b * BLOCK_PAGES + i}). */
    public long[] writableWords(int b) {
        return writable(b, false);
    }

    private void update(long from, long to, boolean value) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("[" + from + ", " + to + ") of " + size);
        }
        long page = from;
        while (page < to) {
            int b = (int) (page >>> BLOCK_SHIFT);
            long blockStart = (long) b << BLOCK_SHIFT;
            long blockEnd = Math.min(to, blockStart + BLOCK_PAGES);
            boolean whole = page == blockStart && blockEnd - blockStart == BLOCK_PAGES;
            if (whole) {
                blocks[b] = value ? FULL : null;
            } else if (value ? blocks[b] != FULL : blocks[b] != null) {
                long[] words = writable(b, !value);
                for (long p = page; p < blockEnd; ) {
                    int bit = (int) (p - blockStart);
                    int lo = bit & 63;
                    int hi = (int) Math.min(64, lo + (blockEnd - p));
                    long mask = rangeMask(lo, hi);
                    words[bit >>> 6] = value ? words[bit >>> 6] | mask : words[bit >>> 6] & ~mask;
                    p += hi - lo;
                }
            }
            page = blockEnd;
        }
    }

    private long[] writable(int b, boolean startFull) {
        long[] words = blocks[b];
        if (words == null) {
            words = new long[WORDS];
            if (startFull) {
                Arrays.fill(words, -1L);
            }
            blocks[b] = words;
        } else if (words == FULL) {
            words = FULL.clone();
            blocks[b] = words;
        }
        return words;
    }

    private static long rangeMask(int lo, int hi) {
        long upper = hi == 64 ? -1L : (1L << hi) - 1;
        return upper & (-1L << lo);
    }

    private static long[] filled() {
        long[] words = new long[WORDS];
        Arrays.fill(words, -1L);
        return words;
    }
}
