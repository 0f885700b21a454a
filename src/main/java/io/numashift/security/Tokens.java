package io.numashift.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tokens the service accepts, kept as SHA-256 hashes of their secrets and compared in
 * constant time. Secrets are never stored or logged.
 */
public final class Tokens {
    private record Entry(byte[] sha256, Caller caller) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /** Adds a token by the hex SHA-256 of its secret. */
    public void add(String sha256Hex, Caller caller) {
        entries.add(new Entry(HexFormat.of().parseHex(sha256Hex.toLowerCase(java.util.Locale.ROOT)), caller));
    }

    /** Makes a new random secret, adds its token, and returns the secret (to hand out once). */
    public String generate(String name, Set<Role> roles, Set<String> hosts) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = "ns_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        add(sha256Hex(secret), new Caller(name, roles, hosts));
        return secret;
    }

    /** The caller whose token this secret is; every entry is compared, in constant time each. */
    public Optional<Caller> authenticate(String secret) {
        byte[] hash = sha256(secret);
        Caller found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.sha256(), hash)) {
                found = entry.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public static String sha256Hex(String secret) {
        return HexFormat.of().formatHex(sha256(secret));
    }

    private static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
