package io.numashift.core.backend;

/** The state of a node's memory blocks that an evacuation asks for. */
public enum MemoryState {
    /** Taken offline once the node is empty: the node can be removed. */
    OFFLINE,
    /** Back online: the node holds pages again. */
    ONLINE
}
