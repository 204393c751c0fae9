package io.huibo.policy;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How one kind of failure is retried: the first delay, multiplied by {@code multiplier} for each
 * attempt made before, capped at {@code cap}, spread by ±{@code jitter} (a fraction) so that callbacks
 * failing together (a trunk outage) do not all come back in the same second.
 *
 * @param maxAttempts attempts after which a failure of this kind is not retried; 0: only the callback's
 *                    own maxAttempts counts
 */
public record RetryRule(Duration first, double multiplier, Duration cap, double jitter, int maxAttempts) {
    public RetryRule {
        if (first.isNegative()) {
            throw new IllegalArgumentException("first must not be negative");
        }
        if (!(multiplier >= 1.0) || multiplier > 100) {
            throw new IllegalArgumentException("multiplier must be from 1 to 100");
        }
        if (cap.compareTo(first) < 0) {
            throw new IllegalArgumentException("cap must be at least first");
        }
        if (!(jitter >= 0) || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be from 0 to below 1");
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must not be negative");
        }
    }

    /** The same delay every time: what dispatch.retry* always meant. */
    public static RetryRule fixed(Duration delay) {
        return new RetryRule(delay, 1.0, delay, 0, 0);
    }

    /**
     * The delay after the {@code attemptsMade}-th attempt (1 for the first): first × multiplier^(n-1),
     * jittered, never above the cap.
     *
     * @param random uniform in [0, 1); injected so that tests know the jitter
     */
    public Duration delay(int attemptsMade, DoubleSupplier random) {
        double base = first.toMillis() * Math.pow(multiplier, Math.max(0, attemptsMade - 1));
        double capped = Math.min(base, cap.toMillis());
        double spread = jitter == 0 ? 1.0 : 1.0 + jitter * (2 * random.getAsDouble() - 1);
        long ms = Math.round(Math.min(capped * spread, cap.toMillis()));
        return Duration.ofMillis(Math.max(0, ms));
    }

    public boolean allowsAnother(int attemptsMade) {
        return maxAttempts == 0 || attemptsMade < maxAttempts;
    }
}
