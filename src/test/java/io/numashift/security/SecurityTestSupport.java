package io.numashift.security;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/** The service's bearer-token security, for web slices that do not scan the whole application. */
@TestConfiguration
@Import(SecurityConfiguration.class)
@EnableConfigurationProperties(SecuritySettings.class)
public class SecurityTestSupport {}
