/**
 * The command line, {@code numashift submit|status|wait|cancel|retry|list|hosts}: a client of the
 * HTTP API for batch schedulers, scripts and operators (docs/cli.md). It starts no Spring context
 * and uses nothing of the project but the API's JSON, so that a call answers in a fraction of a
 * second.
 */
@NullMarked
package io.numashift.cli;

import org.jspecify.annotations.NullMarked;
