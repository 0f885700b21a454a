package io.numashift.core.backend;

import java.util.Arrays;

/**
 * The runs of pages a migration moved, in the order they moved, so that a rollback can move them
 * back in reverse order without a node ever exceeding its capacity. Adjacent runs coalesce.
 */
public final class MoveLog {
    private int size;
    private int[] vma = new int[16];
    private long[] page = new long[16];
    private long[] count = new long[16];
    private int[] from = new int[16];
    private int[] to = new int[16];

    public void add(int vmaIndex, long firstPage, long pages, int fromNode, int toNode) {
        if (size > 0) {
            int last = size - 1;
            if (vma[last] == vmaIndex
                    && from[last] == fromNode
                    && to[last] == toNode
                    && page[last] + count[last] == firstPage) {
                count[last] += pages;
                return;
            }
        }
        if (size == vma.length) {
            int capacity = size * 2;
            vma = Arrays.copyOf(vma, capacity);
            page = Arrays.copyOf(page, capacity);
            count = Arrays.copyOf(count, capacity);
            from = Arrays.copyOf(from, capacity);
            to = Arrays.copyOf(to, capacity);
        }
        vma[size] = vmaIndex;
        page[size] = firstPage;
        count[size] = pages;
        from[size] = fromNode;
        to[size] = toNode;
        size++;
    }

    public int size() {
        return size;
    }

    public int vma(int i) {
        return vma[i];
    }

    public long page(int i) {
        return page[i];
    }

    public long count(int i) {
        return count[i];
    }

    public int from(int i) {
        return from[i];
    }

    public int to(int i) {
        return to[i];
    }
}
