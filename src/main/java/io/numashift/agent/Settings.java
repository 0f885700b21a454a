package io.numashift.agent;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where an agent process finds its settings, first hit wins: {@code --name=value} arguments, then
 * Java system properties ({@code -Dname=value}), then environment variables in their upper-case
 * form ({@code numashift.agent.orchestrator-url} is {@code NUMASHIFT_AGENT_ORCHESTRATOR_URL} or
 * {@code NUMASHIFT_AGENT_ORCHESTRATORURL}), then the caller's default. Names in arguments and
 * properties may be written in kebab case, camel case or with underscores
 * ({@code orchestrator-url}, {@code orchestratorUrl}, {@code orchestrator_url}), as the service's
 * own configuration accepts them.
 */
public final class Settings {
    private static final Pattern SIMPLE_DURATION = Pattern.compile("^([+-]?\\d+)([a-zA-Z]{0,2})$");

    private final Map<String, String> arguments;
    private final Map<String, String> environment;

    private Settings(Map<String, String> arguments, Map<String, String> environment) {
        this.arguments = arguments;
        this.environment = environment;
    }

    /** The settings of this process: its arguments, system properties and environment. */
    public static Settings of(String[] args) {
        return of(List.of(args), System.getProperties(), System.getenv());
    }

    /**
     * Settings from these sources.
     *
     * @param args command-line arguments; those of the form {@code --name=value} count
     * @param system Java system properties
     * @param environment environment variables
     */
    public static Settings of(List<String> args, Properties system, Map<String, String> environment) {
        Map<String, String> arguments = new HashMap<>();
        for (String name : system.stringPropertyNames()) {
            arguments.put(canonical(name), system.getProperty(name));
        }
        for (String arg : args) {
            if (arg.startsWith("--") && arg.indexOf('=') > 2) {
                int equals = arg.indexOf('=');
                arguments.put(canonical(arg.substring(2, equals)), arg.substring(equals + 1));
            }
        }
        return new Settings(arguments, Map.copyOf(environment));
    }

    /** The value of a setting, by its kebab-case name ({@code numashift.agent.lease-wait}). */
    public Optional<String> get(String name) {
        String argument = arguments.get(canonical(name));
        if (argument != null) {
            return Optional.of(argument);
        }
        String upper = name.toUpperCase(Locale.ROOT).replace('.', '_');
        for (String variable : List.of(upper.replace('-', '_'), upper.replace("-", ""))) {
            String value = environment.get(variable);
            if (value != null) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** A setting's value, or {@code otherwise}; blank counts as not set. */
    public @Nullable String text(String name, @Nullable String otherwise) {
        return get(name).map(String::trim).filter(v -> !v.isEmpty()).orElse(otherwise);
    }

    /**
     * A duration: {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 1d} (also {@code ns},
     * {@code us}; a plain number is milliseconds) or ISO-8601 ({@code PT30S}).
     *
     * @throws SettingException when the value is not a duration
     */
    public Duration duration(String name, Duration otherwise) {
        String value = text(name, null);
        if (value == null) {
            return otherwise;
        }
        try {
            return parseDuration(value);
        } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
            throw new SettingException(name + " is not a duration: '" + value + "' (write 30s, 500ms, 2m or PT30S)");
        }
    }

    /** Parses a duration as {@link #duration} does. */
    static Duration parseDuration(String value) {
        String text = value.trim();
        Matcher simple = SIMPLE_DURATION.matcher(text);
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return switch (simple.group(2).toLowerCase(Locale.ROOT)) {
                case "ns" -> Duration.ofNanos(amount);
                case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1000L));
                case "", "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException("unknown unit " + simple.group(2));
            };
        }
        return Duration.parse(text);
    }

    /** Names compare without case, dashes or underscores, as relaxed binding does. */
    private static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** A setting with a value that cannot be used; its message says which and why. */
    public static final class SettingException extends RuntimeException {
        public SettingException(String message) {
            super(message);
        }
    }
}
