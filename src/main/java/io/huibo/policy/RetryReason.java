package io.huibo.policy;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import java.util.Set;

/**
 * Why an attempt failed, as far as retrying cares: the outcome, refined by the leg that failed and the
 * Q.850 hangup cause. A profile may give each its own rule; a refined reason without a rule falls back
 * to its outcome's rule ({@link #fallback}).
 */
public enum RetryReason {
    BUSY("busy"),
    NO_ANSWER("noAnswer"),
    CONGESTION("congestion"),
    /** The callee's line or network is out of order (causes 3, 20, 27, 38): often a phone switched off. */
    UNAVAILABLE("unavailable"),
    /** Leg A answered, the destination (agent, queue) did not: the customer is not at fault. */
    LEG_B_FAILED("legBFailed"),
    FAILED("failed"),
    /** Unallocated or malformed number (causes 1, 28): dialing it again cannot help, so never retried. */
    INVALID_NUMBER("invalidNumber");

    private static final Set<Integer> INVALID_CAUSES = Set.of(1, 28);
    private static final Set<Integer> UNAVAILABLE_CAUSES = Set.of(3, 20, 27, 38);

    private final String key;

    RetryReason(String key) {
        this.key = key;
    }

    /** The name of its rule in the config ({@code calling.profiles.NAME.retry.KEY}). */
    public String key() {
        return key;
    }

    public static RetryReason of(Outcome outcome, Leg failedLeg, Integer hangupCause) {
        if (hangupCause != null && INVALID_CAUSES.contains(hangupCause)) {
            return INVALID_NUMBER;
        }
        if (failedLeg == Leg.B) {
            return LEG_B_FAILED;
        }
        if (hangupCause != null && UNAVAILABLE_CAUSES.contains(hangupCause)
                && (outcome == Outcome.CONGESTION || outcome == Outcome.FAILED)) {
            return UNAVAILABLE;
        }
        return of(outcome);
    }

    public static RetryReason of(Outcome outcome) {
        return switch (outcome) {
            case BUSY -> BUSY;
            case NO_ANSWER -> NO_ANSWER;
            case CONGESTION -> CONGESTION;
            case FAILED, CONNECTED -> FAILED;
        };
    }

    /** The outcome reason whose rule applies when a profile has none for this one. */
    public RetryReason fallback(Outcome outcome) {
        return this == UNAVAILABLE || this == LEG_B_FAILED ? of(outcome) : this;
    }

    public static RetryReason fromKey(String key) {
        for (RetryReason r : values()) {
            if (r.key.equals(key)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown retry reason: " + key);
    }
}
