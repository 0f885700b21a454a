/** What the stored features share: JSON text columns, and commits that H2 writes before the service answers. */
@NullMarked
package io.numashift.storage;

import org.jspecify.annotations.NullMarked;
