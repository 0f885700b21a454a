/** Hands each host's tasks to its agent: leases, heartbeats, results, and leases that run out. */
@NullMarked
package io.numashift.dispatch;

import org.jspecify.annotations.NullMarked;
