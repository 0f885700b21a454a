/**
 * The backend interface that the migration core runs against: simulated NUMA hosts, and the Linux
 * kernel too. Everything here is plain Java.
 */
@NullMarked
package io.numashift.core.backend;

import org.jspecify.annotations.NullMarked;
