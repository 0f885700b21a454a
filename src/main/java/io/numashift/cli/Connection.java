package io.numashift.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the service is and the token to show it, from the options, the environment or a file, in
 * that order (docs/cli.md). The token is read from a file or the environment so that {@code ps}
 * does not show it; {@code --token} is there for those who ask for it.
 */
final class Connection {
    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(
            names = "--url",
            split = ",",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            description = "the service; several (comma-separated or repeated) for replicas, tried in turn."
                    + " Default: $NUMASHIFT_URL, else " + DEFAULT_URL)
    @Nullable
    List<String> urls;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "a file holding the token. Default: $NUMASHIFT_TOKEN, else $NUMASHIFT_TOKEN_FILE,"
                    + " else ~/.config/numashift/token, else ./data/operator.token")
    @Nullable
    Path tokenFile;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            scope = ScopeType.INHERIT,
            description = "the token itself: visible to ps, prefer the environment or a file")
    @Nullable
    String token;

    Api api(Map<String, String> env) {
        return new Api(urls(env), token(env));
    }

    List<URI> urls(Map<String, String> env) {
        List<String> given = urls;
        if (given == null || given.isEmpty()) {
            String fromEnv = env.getOrDefault("NUMASHIFT_URL", "");
            given = fromEnv.isBlank() ? List.of(DEFAULT_URL) : List.of(fromEnv.split(","));
        }
        List<URI> parsed = new ArrayList<>();
        for (String url : given) {
            String u = url.strip();
            if (u.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(u.endsWith("/") ? u : u + "/");
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, "not a URL: " + u);
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new CliException(
                        ExitCodes.USAGE, "not an http(s) URL: " + u + " (for example " + DEFAULT_URL + ")");
            }
            parsed.add(uri);
        }
        if (parsed.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "no service URL: set --url or NUMASHIFT_URL");
        }
        return parsed;
    }

    String token(Map<String, String> env) {
        if (token != null && !token.isBlank()) {
            return token.strip();
        }
        if (tokenFile != null) {
            return read(tokenFile);
        }
        String fromEnv = env.get("NUMASHIFT_TOKEN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        String file = env.get("NUMASHIFT_TOKEN_FILE");
        if (file != null && !file.isBlank()) {
            return read(Path.of(file));
        }
        String home = env.get("HOME");
        List<Path> defaults = new ArrayList<>();
        if (home != null) {
            defaults.add(Path.of(home, ".config", "numashift", "token"));
        }
        defaults.add(Path.of("data", "operator.token"));
        for (Path candidate : defaults) {
            if (Files.isReadable(candidate)) {
                return read(candidate);
            }
        }
        throw new CliException(
                ExitCodes.AUTH,
                "no token: set NUMASHIFT_TOKEN or NUMASHIFT_TOKEN_FILE, or put it in ~/.config/numashift/token");
    }

    private static String read(Path file) {
        try {
            String text = Files.readString(file).strip();
            if (text.isEmpty()) {
                throw new CliException(ExitCodes.AUTH, "the token file " + file + " is empty");
            }
            return text;
        } catch (IOException e) {
            throw new CliException(ExitCodes.AUTH, "cannot read the token file " + file + ": " + e.getMessage());
        }
    }
}
