/** The hosts that agents serve: their topology, when they were last seen, and their state. */
@NullMarked
package io.numashift.hosts;

import org.jspecify.annotations.NullMarked;
