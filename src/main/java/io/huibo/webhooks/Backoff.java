package io.huibo.webhooks;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Delay before the next try of a delivery: {@code base * 2^(tries-1)}, capped at {@code max}, of which a
 * random part (up to half) is taken off, so receivers that came back are not hit by every instance's
 * retries at the same moment.
 */
public final class Backoff {
    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    /** @param random values in [0, 1) */
    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** @param tries tries made so far (1 after the first failure) */
    public Duration after(int tries) {
        long cap = max.toMillis();
        long d = base.toMillis();
        for (int i = 1; i < tries && d < cap; i++) {
            d *= 2;
        }
        d = Math.min(d, cap);
        return Duration.ofMillis(d - (long) (d / 2.0 * random.getAsDouble()));
    }
}
