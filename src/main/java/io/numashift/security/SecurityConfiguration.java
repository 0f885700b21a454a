package io.numashift.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The accepted tokens: the configured ones, or else a generated operator token that is printed
 * once and kept in {@code <data-dir>/operator.token} (owner-only), so that a new user's first
 * curl works and a restart keeps the same token.
 */
@Configuration
class SecurityConfiguration {

    @Bean
    Tokens tokens(SecuritySettings settings, @Value("${numashift.data-dir:./data}") Path dataDir) {
        Tokens tokens = new Tokens();
        for (SecuritySettings.TokenSpec spec : settings.tokens()) {
            tokens.add(
                    spec.sha256(), new Caller(spec.name(), new HashSet<>(spec.roles()), new HashSet<>(spec.hosts())));
        }
        if (settings.tokens().isEmpty()) {
            operatorToken(tokens, dataDir);
        }
        return tokens;
    }

    @Bean
    FilterRegistrationBean<BearerTokenFilter> bearerTokenFilter(Tokens tokens) {
        FilterRegistrationBean<BearerTokenFilter> registration =
                new FilterRegistrationBean<>(new BearerTokenFilter(tokens));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    private static void operatorToken(Tokens tokens, Path dataDir) {
        Path file = dataDir.resolve("operator.token");
        try {
            Files.createDirectories(dataDir);
            Caller operator = new Caller("operator", EnumSet.of(Role.OPERATOR), Set.of());
            if (Files.exists(file)) {
                String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
                tokens.add(Tokens.sha256Hex(secret), operator);
                return;
            }
            String secret = tokens.generate(operator.name(), operator.roles(), operator.hosts());
            Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                file.toFile().setReadable(false, false);
                file.toFile().setReadable(true, true);
            }
            // Printed once, on the console only (not through the logging system).
            System.out.println();
            System.out.println("numashift: no token configured; generated an operator token, kept in " + file);
            System.out.println("numashift: export NUMASHIFT_TOKEN=" + secret);
            System.out.println();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the operator token in " + file, e);
        }
    }
}
