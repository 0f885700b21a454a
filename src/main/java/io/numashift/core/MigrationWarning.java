package io.numashift.core;

/** Something an operator should know about a migration that did not stop it. */
public enum MigrationWarning {
    /** A DEFAULT-policy process runs on a CPU of an old node: new pages will land there. */
    CPU_ON_OLD_NODE,
    /** A rollback could not restore a policy, the cpuset or the CPU that the migration changed. */
    RESTORE_INCOMPLETE,
    /**
     * The backend cannot change the memory policies of the process (Linux applies {@code
     * set_mempolicy} and {@code mbind} to the caller only): pages the process allocates from now on
     * still follow its old policy.
     */
    POLICY_NOT_REMAPPED,
    /**
     * The migration stopped the process ({@code suspend}) and the host refused to let it continue:
     * it is still stopped.
     */
    PROCESS_NOT_RESUMED
}
