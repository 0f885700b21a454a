/** The HTTP adapter of jobs: submit, read, list, cancel, retry, events. */
@NullMarked
package io.numashift.jobs.web;

import org.jspecify.annotations.NullMarked;
