package io.numashift.core.backend;

import org.jspecify.annotations.Nullable;

/**
 * What the migration rules need to know of a mapped file.
 *
 * @param path the file's path
 * @param migrate the value of the extended attribute {@code user.numashift.migrate} ({@code none}
 *     or {@code lib}), or null when absent
 * @param nfs whether the file lives on NFS (which has no extended attributes)
 */
public record FileInfo(String path, @Nullable String migrate, boolean nfs) {
    public static FileInfo plain(String path) {
        return new FileInfo(path, null, false);
    }
}
