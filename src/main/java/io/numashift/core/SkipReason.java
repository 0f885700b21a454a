package io.numashift.core;

/** Why pages that could have moved were left where they are. Skipped pages are not failures. */
public enum SkipReason {
    /** The mapped file has the extended attribute {@code migrate=none}. */
    XATTR_NONE,
    /** A read-only mapping of a file marked {@code migrate=lib}. */
    XATTR_LIB_READONLY,
    /** A shared object that a process outside the job also maps, without {@code moveShared}. */
    SHARED,
    /** A shared-object page that an earlier migration of the same job on this host already scanned. */
    ALREADY_MIGRATED,
    /**
     * A page to move that the kernel moved off the old nodes itself between the scan and its move
     * (automatic NUMA balancing; a page reclaimed and read in again elsewhere).
     */
    MOVED_BY_KERNEL
}
