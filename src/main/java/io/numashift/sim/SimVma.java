package io.numashift.sim;

import io.numashift.core.backend.MemoryPolicy;
import io.numashift.core.backend.Vma;
import org.jspecify.annotations.Nullable;

/** A VMA of a simulated process: a window of pages of its memory object. */
final class SimVma {
    final long start;
    final long pages;
    final String perms;
    final @Nullable String file;
    final @Nullable String shared;
    final MemoryObject object;
    final long offset;

    @Nullable
    MemoryPolicy policy;

    SimVma(
            long start,
            long pages,
            String perms,
            @Nullable String file,
            @Nullable String shared,
            MemoryObject object,
            long offset,
            @Nullable MemoryPolicy policy) {
        this.start = start;
        this.pages = pages;
        this.perms = perms;
        this.file = file;
        this.shared = shared;
        this.object = object;
        this.offset = offset;
        this.policy = policy;
    }

    long end(int pageSize) {
        return start + pages * pageSize;
    }

    Vma view(int pageSize) {
        return new Vma(start, end(pageSize), perms, file, shared, offset, policy);
    }
}
