package io.numashift.core.backend;

import org.jspecify.annotations.Nullable;

/**
 * A virtual memory area of a process.
 *
 * @param start the first address (page aligned)
 * @param end the address after the last byte (page aligned)
 * @param perms permissions as in /proc/pid/maps, e.g. {@code rw-}
 * @param file the mapped file's path, if any
 * @param sharedObject the key of the shared object this VMA maps (shared file mapping or shared
 *     memory segment), if it is shared; every process that maps the same object sees the same pages
 * @param objectOffset the page of the shared object (or file) that the VMA's first page maps
 * @param policy the VMA's own memory policy, if it has one
 */
public record Vma(
        long start,
        long end,
        String perms,
        @Nullable String file,
        @Nullable String sharedObject,
        long objectOffset,
        @Nullable MemoryPolicy policy) {

    public boolean writable() {
        return perms.indexOf('w') >= 0;
    }

    public long pages(int pageSize) {
        return (end - start) / pageSize;
    }

    /** What the VMA maps, as results show it: {@code anon}, {@code file:/path} or the shared object key. */
    public String maps() {
        if (sharedObject != null) {
            return sharedObject;
        }
        return file != null ? "file:" + file : "anon";
    }
}
