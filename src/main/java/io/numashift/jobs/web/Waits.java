package io.numashift.jobs.web;

import io.numashift.web.InvalidRequestException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Waits written as {@code 30s}, {@code 500ms} or {@code 2m}; capped. */
public final class Waits {
    private static final Pattern WAIT = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    private Waits() {}

    public static Duration parse(@Nullable String wait, Duration max) {
        if (wait == null) {
            return max.compareTo(Duration.ofSeconds(30)) < 0 ? max : Duration.ofSeconds(30);
        }
        Matcher m = WAIT.matcher(wait.trim());
        if (!m.matches()) {
            throw new InvalidRequestException("wait", "a duration like 30s, 500ms or 2m");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        return duration.compareTo(max) > 0 ? max : duration;
    }
}
