package io.huibo.guards;

import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Counters in fixed windows (a minute, a UTC day), shared by every instance through Redis: one script
 * checks all the limits of a request and counts it against each only when none is reached. Redis
 * unreachable fails the future: that is never taken for "allowed".
 */
public final class GuardLimits {
    public static final Duration MINUTE = Duration.ofMinutes(1);
    public static final Duration DAY = Duration.ofDays(1);
    /** A request's answer must not wait for the connection's own (long) timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * One limit: at most {@code max} in each {@code window}.
     *
     * @param guard the metric label and problem name (number-rate, key-rate, attempts-per-day)
     * @param key   the counter, under the Redis key prefix
     * @param what  for the problem's detail, e.g. "requests for +861380013800 per minute"
     */
    public record Limit(String guard, String key, int max, Duration window, String what) {
        public Limit {
            if (max < 1 || window.toSeconds() < 1) {
                throw new IllegalArgumentException("a limit needs max >= 1 and a window of whole seconds");
            }
        }
    }

    /** A limit that was reached, and the whole seconds until its window resets. */
    public record Tripped(Limit limit, long retryAfterSeconds) {
    }

    private final RedisScripts redis;
    private final RedisScripts.Script script;

    /** Loads the script (blocking: call it at start). */
    public GuardLimits(RedisScripts redis) {
        this.redis = redis;
        this.script = redis.script(GuardLimits.class, "fixedWindows");
    }

    public String key(String name) {
        return redis.key("guard:" + name);
    }

    /** Counts one against every limit, unless one of them is reached already; empty: counted. */
    public Future<Optional<Tripped>> take(List<Limit> limits) {
        if (limits.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        List<String> keys = new ArrayList<>();
        List<String> argv = new ArrayList<>();
        for (Limit l : limits) {
            keys.add(l.key());
            argv.add(Integer.toString(l.max()));
            argv.add(Long.toString(l.window().toSeconds()));
        }
        return redis.<List<Object>>run(script, ScriptOutputType.MULTI, TIMEOUT, keys, argv).map(r -> {
            int over = ((Number) r.get(0)).intValue();
            if (over == 0) {
                return Optional.empty();
            }
            return Optional.of(new Tripped(limits.get(over - 1), retryAfterSeconds(((Number) r.get(1)).longValue())));
        });
    }

    /** Retry-After is whole seconds: rounded up, so a retry at that time finds the window reset; at least 1. */
    static long retryAfterSeconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    /** The milliseconds from {@code nowMillis} to the end of its fixed window (epoch-aligned), as the script counts. */
    static long untilWindowEnd(long nowMillis, Duration window) {
        long w = window.toMillis();
        return (Math.floorDiv(nowMillis, w) + 1) * w - nowMillis;
    }
}
