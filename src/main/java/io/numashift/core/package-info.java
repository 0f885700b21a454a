/**
 * The migration core: what one page migration does on one host, as docs/migration.md specifies
 * it. Plain Java, run against a {@link
 * io.numashift.core.backend.NumaBackend}.
 */
@NullMarked
package io.numashift.core;

import org.jspecify.annotations.NullMarked;
