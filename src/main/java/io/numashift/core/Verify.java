package io.numashift.core;

/** What a migration proves about its work once it has moved the pages. */
public enum Verify {
    /**
     * Where every page of the range is afterwards, read back from the host, and from it {@code
     * placementAfter} and {@code pagesLeftOnOldNodes}. The default.
     */
    PLACEMENT,
    /**
     * The placement, and a digest of (virtual address, content) of the pages resident at the start,
     * taken before the moves and again after them: equal digests show that no page's content was
     * lost or mixed up. Every page is read twice, so it costs more than the moves on a real kernel.
     */
    CONTENT,
    /**
     * Nothing is read back: {@code placementAfter} and {@code pagesLeftOnOldNodes} are counted
     * from the moves, as the host answered them.
     */
    NONE
}
