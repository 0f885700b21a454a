package io.numashift.hosts;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When a host counts as away.
 *
 * @param unknownAfter no sign of its agent for this long: {@code UNKNOWN}
 * @param offlineAfter no sign for this long: {@code OFFLINE}, and its pending tasks fail with
 *     {@code HOST_UNAVAILABLE}
 */
@ConfigurationProperties("numashift.hosts")
public record HostSettings(
        @DefaultValue("15s") Duration unknownAfter,
        @DefaultValue("2m") Duration offlineAfter) {}
