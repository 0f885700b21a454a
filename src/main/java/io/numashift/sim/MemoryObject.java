package io.numashift.sim;

/** Pages of one object: a process's private memory, or a shared object. */
final class MemoryObject {
    /** The content step between consecutive pages of an object (the golden ratio's 64-bit fraction). */
    static final long CONTENT_STEP = 0x9E3779B97F4A7C15L;

    final PagePlacement placement;
    final long seed;
    long pinnedUpTo;
    long allocCursor;

    MemoryObject(long pages, long seed) {
        this.placement = new PagePlacement(pages);
        this.seed = seed;
    }

    /** A seeded number per page; linear in the page so that runs have a closed-form digest. */
    long content(long page) {
        return seed + page * CONTENT_STEP;
    }
}
