package io.huibo.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Huibo-Signature} header, Stripe style: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">}. The timestamp is signed with the body, so a receiver that also checks its age refuses a
 * replayed request.
 */
public final class WebhookSignature {
    public static final String HEADER = "Huibo-Signature";

    private final byte[] secret;

    public WebhookSignature(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret is required");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String header(Instant at, String body) {
        long t = at.getEpochSecond();
        return "t=" + t + ",v1=" + hex(t, body);
    }

    /**
     * What a receiver does: true if {@code header} carries a v1 signature of {@code body} made with this
     * secret no more than {@code tolerance} from {@code now}.
     */
    public boolean verify(String header, String body, Instant now, Duration tolerance) {
        if (header == null) {
            return false;
        }
        Long t = null;
        java.util.List<String> signatures = new java.util.ArrayList<>();
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String k = part.substring(0, eq).trim();
            String v = part.substring(eq + 1).trim();
            if (k.equals("t")) {
                try {
                    t = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (k.equals("v1")) {
                signatures.add(v);
            }
        }
        if (t == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = hex(t, body).getBytes(StandardCharsets.US_ASCII);
        for (String s : signatures) {
            if (MessageDigest.isEqual(expected, s.getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    private String hex(long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
