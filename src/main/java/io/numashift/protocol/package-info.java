/**
 * The agent protocol: every body the service and a host's agent send each other, as plain records
 * (the JSON of docs/api.md §4). It depends on the migration core alone, so that both sides use it
 * and neither depends on the other. Bean Validation annotations state each field's rules; the
 * service checks them on what agents send.
 */
@NullMarked
package io.numashift.protocol;

import org.jspecify.annotations.NullMarked;
