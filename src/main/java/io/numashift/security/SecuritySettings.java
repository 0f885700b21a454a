package io.numashift.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The configured tokens.
 *
 * @param tokens the tokens; when none is configured, an operator token is generated
 */
@ConfigurationProperties("numashift.security")
public record SecuritySettings(@DefaultValue List<TokenSpec> tokens) {

    /**
     * A configured token: never its secret, only the secret's SHA-256.
     *
     * @param name its name
     * @param sha256 the hex SHA-256 of its secret
     * @param roles its roles
     * @param hosts for agent tokens, the hosts it may serve
     */
    public record TokenSpec(
            String name,
            String sha256,
            List<Role> roles,
            @DefaultValue List<String> hosts) {}
}
