package io.huibo.pbx;

/**
 * How many Originates a node may get now: a token bucket (at most one second of tokens, so a burst
 * never exceeds the rate) whose rate adapts AIMD-style. A timeout or an error halves the rate (at most
 * once per second, so one burst of failures counts once) down to a floor; each further second without
 * failure adds a tenth of the configured maximum back, until the maximum.
 *
 * <p>Pure and thread-safe: time comes in as nanoseconds ({@link System#nanoTime()}).
 */
public final class OriginateRate {
    private static final long SECOND = 1_000_000_000L;

    private final double max;
    private final double floor;
    private final double step;
    private double rate;
    private double tokens;
    private long refilledAt;
    private long cutAt;
    private long raisedAt;

    public OriginateRate(double maxPerSecond, long nowNanos) {
        if (maxPerSecond <= 0) {
            throw new IllegalArgumentException("maxPerSecond must be positive");
        }
        this.max = maxPerSecond;
        this.floor = Math.min(maxPerSecond, Math.max(0.5, maxPerSecond / 20));
        this.step = Math.max(0.5, maxPerSecond / 10);
        this.rate = maxPerSecond;
        this.tokens = burst();
        this.refilledAt = nowNanos;
        this.cutAt = nowNanos - SECOND;
        this.raisedAt = nowNanos;
    }

    /** Whole Originates that may be sent now. */
    public synchronized int available(long nowNanos) {
        refill(nowNanos);
        return (int) Math.floor(tokens);
    }

    /** Takes one token; false when none is left. */
    public synchronized boolean tryAcquire(long nowNanos) {
        refill(nowNanos);
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** The node answered an Originate in time: the rate may grow back. */
    public synchronized void onSuccess(long nowNanos) {
        if (rate >= max) {
            raisedAt = nowNanos;
            return;
        }
        if (nowNanos - raisedAt >= SECOND && nowNanos - cutAt >= SECOND) {
            refill(nowNanos);
            rate = Math.min(max, rate + step);
            raisedAt = nowNanos;
        }
    }

    /** The node timed out or answered an error: halve the rate (once per second at most). */
    public synchronized void onFailure(long nowNanos) {
        raisedAt = nowNanos;
        if (nowNanos - cutAt < SECOND) {
            return;
        }
        refill(nowNanos);
        rate = Math.max(floor, rate / 2);
        tokens = Math.min(tokens, burst());
        cutAt = nowNanos;
    }

    public synchronized double rate() {
        return rate;
    }

    public double max() {
        return max;
    }

    private double burst() {
        return Math.max(1, rate);
    }

    private void refill(long nowNanos) {
        long dt = nowNanos - refilledAt;
        if (dt > 0) {
            tokens = Math.min(burst(), tokens + rate * dt / SECOND);
            refilledAt = nowNanos;
        }
    }
}
