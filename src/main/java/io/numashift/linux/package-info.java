/**
 * The Linux backend: the migration core's backend interface over the running kernel, through
 * {@code /sys}, {@code /proc}, cgroups and system calls made with the Foreign Function & Memory API
 * ({@code move_pages(2)}, {@code process_vm_readv(2)}, {@code sched_setaffinity(2)}, {@code
 * kill(2)}). Depends only on the backend interface.
 */
@NullMarked
package io.numashift.linux;

import org.jspecify.annotations.NullMarked;
