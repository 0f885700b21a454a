package io.numashift.core.backend;

/** Memory policy modes, as in set_mempolicy(2). */
public enum PolicyMode {
    /** Allocate on the node of the CPU the process runs on. */
    DEFAULT,
    /** Allocate only on a node set. */
    BIND,
    /** Allocate round robin over a node set. */
    INTERLEAVE,
    /** Allocate on one node, on others when it is full. */
    PREFERRED
}
