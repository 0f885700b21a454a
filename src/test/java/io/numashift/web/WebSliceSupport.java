package io.numashift.web;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/** The service's strict JSON reading and its one place for errors, for web slices. */
@TestConfiguration
@Import({StrictJson.class, ApiErrors.class})
public class WebSliceSupport {}
