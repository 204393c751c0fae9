package io.huibo.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An API key as a client holds it: {@code hb_<keyId>_<secret>}, the key id 12 hex digits (shown to
 * humans, the row's primary key), the secret 32 random bytes in base64url. Only the secret's SHA-256
 * is stored: a 256-bit random secret cannot be guessed from its hash, so no slow hash or pepper is needed.
 */
public record KeyToken(String keyId, String secret) {
    static final String PREFIX = "hb_";
    static final int SECRET_BYTES = 32;
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{12}");
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public static KeyToken generate() {
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        return new KeyToken(HexFormat.of().formatHex(id), newSecret());
    }

    /** The same key id with a new secret (rotation). */
    public KeyToken rotated() {
        return new KeyToken(keyId, newSecret());
    }

    private static String newSecret() {
        byte[] s = new byte[SECRET_BYTES];
        RANDOM.nextBytes(s);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s);
    }

    /** Empty for anything not shaped like a key (the config token, a typo). */
    public static Optional<KeyToken> parse(String token) {
        // the key id has a fixed length, so the secret may contain '_' itself
        if (token == null || token.length() != PREFIX.length() + 12 + 1 + 43 || !token.startsWith(PREFIX)
                || token.charAt(PREFIX.length() + 12) != '_') {
            return Optional.empty();
        }
        String id = token.substring(PREFIX.length(), PREFIX.length() + 12);
        String secret = token.substring(PREFIX.length() + 13);
        if (!KEY_ID.matcher(id).matches() || !SECRET.matcher(secret).matches()) {
            return Optional.empty();
        }
        return Optional.of(new KeyToken(id, secret));
    }

    public static boolean validKeyId(String id) {
        return id != null && KEY_ID.matcher(id).matches();
    }

    public String token() {
        return PREFIX + keyId + "_" + secret;
    }

    public String secretSha256Hex() {
        return HexFormat.of().formatHex(sha256(secret));
    }

    public static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Never the secret: a key in a log line or a test failure shows its id only. */
    @Override
    public String toString() {
        return PREFIX + keyId + "_***";
    }
}
