/** The HTTP adapter of hosts. */
@NullMarked
package io.numashift.hosts.web;

import org.jspecify.annotations.NullMarked;
