package io.huibo.routing;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Trunk slots counted in this process: right for one instance, or as a per-instance share of a
 * trunk's limits. Calls per second is a sliding window over the last second of call starts.
 *
 * <p>A slot whose release never comes (the attempt was adopted by another instance after a crash)
 * would block a trunk for good, so slots older than {@code maxHold} are taken back when the trunk
 * is full. One lock: every operation is a few map updates.
 */
public final class InMemoryTrunkLimiter implements TrunkLimiter {

    static final Duration DEFAULT_MAX_HOLD = Duration.ofHours(4);
    private static final long WINDOW_MS = 1000;

    private record Hold(String trunkId, Instant since) {
    }

    private final Duration maxHold;
    private final Map<String, Integer> active = new HashMap<>();
    private final Map<String, ArrayDeque<Long>> starts = new HashMap<>();
    /** Attempt key to the slots it holds, in the order taken. */
    private final Map<String, List<Hold>> holds = new HashMap<>();
    /** When a full trunk was last swept for stale slots: at most once a second, it walks every hold. */
    private final Map<String, Long> swept = new HashMap<>();

    public InMemoryTrunkLimiter() {
        this(DEFAULT_MAX_HOLD);
    }

    public InMemoryTrunkLimiter(Duration maxHold) {
        this.maxHold = maxHold;
    }

    @Override
    public Future<Boolean> tryAcquire(Trunk trunk, String callbackId, int attempt, Instant now) {
        return Future.succeededFuture(acquire(trunk, callbackId, attempt, now));
    }

    synchronized boolean acquire(Trunk trunk, String callbackId, int attempt, Instant now) {
        String id = trunk.id();
        if (trunk.maxConcurrent() > 0 && active.getOrDefault(id, 0) >= trunk.maxConcurrent()) {
            expire(id, now);
            if (active.getOrDefault(id, 0) >= trunk.maxConcurrent()) {
                return false;
            }
        }
        long ms = now.toEpochMilli();
        ArrayDeque<Long> window = null;
        if (trunk.maxCallsPerSecond() > 0) {
            window = starts.computeIfAbsent(id, k -> new ArrayDeque<>());
            while (!window.isEmpty() && window.peekFirst() <= ms - WINDOW_MS) {
                window.pollFirst();
            }
            if (window.size() >= trunk.maxCallsPerSecond()) {
                return false;
            }
        }
        if (window != null) {
            window.addLast(ms);
        }
        active.merge(id, 1, Integer::sum);
        holds.computeIfAbsent(key(callbackId, attempt), k -> new ArrayList<>()).add(new Hold(id, now));
        return true;
    }

    @Override
    public synchronized void releaseOne(String trunkId, String callbackId, int attempt) {
        String key = key(callbackId, attempt);
        List<Hold> held = holds.get(key);
        if (held == null) {
            return;
        }
        for (Iterator<Hold> it = held.iterator(); it.hasNext(); ) {
            if (it.next().trunkId().equals(trunkId)) {
                it.remove();
                decrement(trunkId);
                break;
            }
        }
        if (held.isEmpty()) {
            holds.remove(key);
        }
    }

    @Override
    public synchronized void release(String callbackId, int attempt) {
        List<Hold> held = holds.remove(key(callbackId, attempt));
        if (held != null) {
            held.forEach(h -> decrement(h.trunkId()));
        }
    }

    /** Calls held on the trunk now. */
    public synchronized int active(String trunkId) {
        return active.getOrDefault(trunkId, 0);
    }

    private void expire(String trunkId, Instant now) {
        Long last = swept.get(trunkId);
        if (last != null && now.toEpochMilli() - last < WINDOW_MS) {
            return;
        }
        swept.put(trunkId, now.toEpochMilli());
        Instant limit = now.minus(maxHold);
        for (Iterator<List<Hold>> lists = holds.values().iterator(); lists.hasNext(); ) {
            List<Hold> held = lists.next();
            for (Iterator<Hold> it = held.iterator(); it.hasNext(); ) {
                Hold h = it.next();
                if (h.trunkId().equals(trunkId) && h.since().isBefore(limit)) {
                    it.remove();
                    decrement(trunkId);
                }
            }
            if (held.isEmpty()) {
                lists.remove();
            }
        }
    }

    private void decrement(String trunkId) {
        active.computeIfPresent(trunkId, (k, n) -> n <= 1 ? null : n - 1);
    }

    private static String key(String callbackId, int attempt) {
        return callbackId + "#" + attempt;
    }
}
