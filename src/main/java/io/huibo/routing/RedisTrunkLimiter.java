package io.huibo.routing;

import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trunk slots counted in Redis, so a trunk's concurrency and calls-per-second limits hold for all
 * instances together. Each check-and-take is one Lua script (atomic across instances, Redis time):
 * slots are one zset (member per attempt slot, named by its trunk, score = when taken) with a count per
 * trunk, call starts a zset of the last second, and each attempt lists the slots it holds so they can
 * be given back one by one or all at once. Fixed keys under the queue's hash tag, all passed in KEYS.
 *
 * <p>A slot whose release never comes (its instance died) is dropped after {@code maxHold}, as in
 * {@link InMemoryTrunkLimiter}. Releases are fire-and-forget: a lost release is covered the same way.
 * When Redis does not answer, a trunk counts as full (no call beyond a limit, at the cost of none at all).
 */
public final class RedisTrunkLimiter implements TrunkLimiter {
    private static final Logger log = LoggerFactory.getLogger(RedisTrunkLimiter.class);

    private final RedisScripts redis;
    private final RedisScripts.Script acquire;
    private final RedisScripts.Script release;
    private final List<String> keys;
    private final Duration maxHold;

    public RedisTrunkLimiter(RedisScripts redis) {
        this(redis, InMemoryTrunkLimiter.DEFAULT_MAX_HOLD);
    }

    /** Loads the scripts (blocking: call it at start). */
    public RedisTrunkLimiter(RedisScripts redis, Duration maxHold) {
        this.redis = redis;
        this.maxHold = maxHold;
        this.acquire = redis.script(RedisTrunkLimiter.class, "trunkAcquire");
        this.release = redis.script(RedisTrunkLimiter.class, "trunkRelease");
        this.keys = List.of(redis.key("trunkslots"), redis.key("trunkcount"), redis.key("trunkstarts"),
                redis.key("trunkholds"), redis.key("trunkseq"));
    }

    @Override
    public Future<Boolean> tryAcquire(Trunk trunk, String callbackId, int attempt, Instant now) {
        if (trunk.maxConcurrent() <= 0 && trunk.maxCallsPerSecond() <= 0) {
            return Future.succeededFuture(true);
        }
        return redis.<Long>run(acquire, ScriptOutputType.INTEGER, keys, List.of(trunk.id(), callbackId,
                        Integer.toString(attempt), Integer.toString(trunk.maxConcurrent()),
                        Integer.toString(trunk.maxCallsPerSecond()), Long.toString(maxHold.toMillis())))
                .map(r -> r == 1L)
                .otherwise(e -> {
                    log.warn("trunk limit of {} not checked ({}): counting it as full", trunk.id(), e.toString());
                    return false;
                });
    }

    @Override
    public void releaseOne(String trunkId, String callbackId, int attempt) {
        release(trunkId, callbackId, attempt);
    }

    @Override
    public void release(String callbackId, int attempt) {
        release("", callbackId, attempt);
    }

    private void release(String trunkId, String callbackId, int attempt) {
        redis.<Long>run(release, ScriptOutputType.INTEGER, keys, List.of(callbackId, Integer.toString(attempt),
                trunkId)).onFailure(e ->
                log.warn("trunk slot of {} attempt {} not given back ({}); it expires after {}", callbackId, attempt,
                        e.toString(), maxHold));
    }
}
