/** The caller over HTTP: who a token is. */
@NullMarked
package io.numashift.security.web;

import org.jspecify.annotations.NullMarked;
