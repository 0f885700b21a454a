package io.numashift.core.backend;

import org.jspecify.annotations.Nullable;

/**
 * A process on a host, as the engine needs to see it.
 *
 * @param pid the process id
 * @param uid the owner
 * @param command its command name
 * @param cpuset the cpuset it belongs to, if any
 * @param cpu the CPU it runs on
 * @param stopped whether it is stopped (SIGSTOP) now
 * @param policy its process-wide memory policy
 */
public record ProcessInfo(
        int pid, int uid, String command, @Nullable String cpuset, int cpu, boolean stopped, MemoryPolicy policy) {}
