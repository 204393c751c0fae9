package io.huibo.pbx;

import java.time.Duration;

/**
 * One channel listed by {@code CoreShowChannels}, used to reconcile tracked attempts after a
 * reconnect or a restart.
 *
 * @param state    Asterisk channel state number (6 = Up)
 * @param bridgeId empty or null when the channel is not bridged
 */
public record LiveChannel(String channel, String uniqueid, String linkedid, int state, String application,
                          String bridgeId, Duration duration) {

    /** Parses Asterisk's {@code HH:MM:SS} duration; unparseable values become zero. */
    public static Duration parseDuration(String s) {
        if (s == null || s.isBlank()) {
            return Duration.ZERO;
        }
        String[] p = s.trim().split(":");
        try {
            long secs = 0;
            for (String part : p) {
                secs = secs * 60 + Long.parseLong(part);
            }
            return Duration.ofSeconds(secs);
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }
}
