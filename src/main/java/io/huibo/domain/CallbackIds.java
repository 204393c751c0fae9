package io.huibo.domain;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Callback ids: 26 characters of Crockford base32, time-ordered (48-bit milliseconds, then 80
 * random bits), unique across instances without coordination. Only [0-9A-Z] so an id is safe in
 * channel names, ChannelIds and Redis keys.
 */
public final class CallbackIds {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private CallbackIds() {
    }

    public static String next() {
        return next(System.currentTimeMillis());
    }

    static String next(long millis) {
        // ids must be unique, not secret: ThreadLocalRandom spares every request a lock on the
        // system's entropy pool (80 random bits per millisecond make a collision negligible)
        byte[] rnd = new byte[10];
        ThreadLocalRandom.current().nextBytes(rnd);
        char[] out = new char[26];
        long t = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (rnd[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (rnd[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }

    public static boolean isValid(String id) {
        if (id == null || id.length() != 26) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }
}
