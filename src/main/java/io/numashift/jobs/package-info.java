/** Migration jobs: what was asked, per-host tasks, their states, progress and results. */
@NullMarked
package io.numashift.jobs;

import org.jspecify.annotations.NullMarked;
