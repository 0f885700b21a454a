/** Bearer tokens, their roles and the hosts agent tokens may serve. */
@NullMarked
package io.numashift.security;

import org.jspecify.annotations.NullMarked;
