/** The demo command: one migration on the bundled demo cluster, printed. */
@NullMarked
package io.numashift.demo;

import org.jspecify.annotations.NullMarked;
