package io.huibo.routing;

import io.vertx.core.Future;
import java.time.Instant;

/**
 * Accounting of trunk slots: concurrent calls and calls per second. Slots are held per attempt of
 * a callback, so they can be given back when a try fails and when the attempt ends. One
 * implementation counts in memory (one instance); one shared by all instances can live in Redis.
 *
 * <p>Called on the event loop: implementations must not block. Futures complete on the caller's
 * context (or are already complete).
 */
public interface TrunkLimiter {

    /**
     * Takes a slot on {@code trunk} for the attempt if the trunk is under both its limits (0 means
     * no limit), counting one call start for its calls-per-second limit. False when it is full.
     */
    Future<Boolean> tryAcquire(Trunk trunk, String callbackId, int attempt, Instant now);

    /** Gives back one slot the attempt holds on the trunk (a try on it has ended); no-op when none. */
    void releaseOne(String trunkId, String callbackId, int attempt);

    /** Gives back every slot the attempt still holds. */
    void release(String callbackId, int attempt);
}
