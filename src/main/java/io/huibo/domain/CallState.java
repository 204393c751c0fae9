package io.huibo.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a callback. QUEUED covers both "new" and "waiting for a retry"; DIALING means an
 * attempt is on a PBX. The transitions are explicit so a late event cannot move a finished callback.
 */
public enum CallState {
    QUEUED, DIALING, COMPLETED, FAILED, CANCELLED,
    /** Not dialable in its window (notAfter, the retry profile's expiry) any more. */
    EXPIRED,
    /** Its number is on the do-not-call list, or a guard refuses it for good. */
    BLOCKED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == EXPIRED || this == BLOCKED;
    }

    public Set<CallState> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(DIALING, CANCELLED, FAILED, EXPIRED, BLOCKED);
            case DIALING -> EnumSet.of(QUEUED, COMPLETED, FAILED, EXPIRED);
            case COMPLETED, FAILED, CANCELLED, EXPIRED, BLOCKED -> EnumSet.noneOf(CallState.class);
        };
    }

    public boolean canMoveTo(CallState target) {
        return next().contains(target);
    }

    /** Lower-case name, as the API and the database show it. */
    public String wire() {
        return name().toLowerCase();
    }

    public static CallState fromWire(String s) {
        return valueOf(s.toUpperCase());
    }
}
