/** What every HTTP adapter shares: problem details for errors that no feature owns. */
@NullMarked
package io.numashift.web;

import org.jspecify.annotations.NullMarked;
