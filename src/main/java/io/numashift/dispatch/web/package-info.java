/** The HTTP adapter of the agent protocol. */
@NullMarked
package io.numashift.dispatch.web;

import org.jspecify.annotations.NullMarked;
