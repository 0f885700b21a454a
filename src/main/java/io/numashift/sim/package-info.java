/**
 * Simulated NUMA hosts: nodes, processes and their pages held in memory, behind the same backend
 * interface as the Linux kernel, and the scenario files that describe them. Plain Java.
 */
@NullMarked
package io.numashift.sim;

import org.jspecify.annotations.NullMarked;
