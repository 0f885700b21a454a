/** What the stored features share: JSON text columns. */
@NullMarked
package io.numashift.storage;

import org.jspecify.annotations.NullMarked;
