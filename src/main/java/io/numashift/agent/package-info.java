/**
 * The agent of one host: registers, leases its host's tasks over the agent protocol, runs the
 * migration core on its backend, heartbeats progress and reports results.
 */
@NullMarked
package io.numashift.agent;

import org.jspecify.annotations.NullMarked;
