package io.huibo.queue;

import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * What an operator does to the schedule besides submitting and cancelling: moving a waiting callback
 * ({@link #reschedule}) and reading its figures ({@link #stats}). Same keys and rules as
 * {@link CallbackQueue}: one atomic script each, times from Redis.
 */
public final class QueueAdmin {

    /** What {@link #reschedule} did. */
    public enum RescheduleResult {
        /** It was waiting and now waits at the new time and priority. */
        MOVED,
        /** Leased, parked, or with an attempt possibly live on a PBX: left alone. */
        BUSY,
        /** Not indexed at all. */
        NOT_FOUND
    }

    /**
     * The schedule now.
     *
     * @param waiting     per priority 0..9, callbacks in the ready sets (due or not)
     * @param dueNow      per priority, those of them due at {@code now}
     * @param oldestDueAt the earliest due time among the waiting ones; null when none waits
     * @param leased      callbacks claimed by an instance (being dialed or about to be)
     * @param parked      callbacks waiting for the owner of the node their attempt is on
     * @param now         Redis' clock
     */
    public record Stats(List<Long> waiting, List<Long> dueNow, Instant oldestDueAt, long leased, long parked,
                        Instant now) {
        public Stats {
            waiting = List.copyOf(waiting);
            dueNow = List.copyOf(dueNow);
        }

        public long totalWaiting() {
            return waiting.stream().mapToLong(Long::longValue).sum();
        }

        public long totalDueNow() {
            return dueNow.stream().mapToLong(Long::longValue).sum();
        }
    }

    private final RedisScripts redis;
    private final List<String> keys;
    private final RedisScripts.Script reschedule;
    private final RedisScripts.Script stats;

    /** Loads the scripts (blocking: call it at start). */
    public QueueAdmin(RedisScripts redis, CallbackQueue queue) {
        this.redis = redis;
        this.keys = queue.keys();
        this.reschedule = redis.script(CallbackQueue.class, "reschedule");
        this.stats = redis.script(CallbackQueue.class, "stats");
    }

    /**
     * Moves a callback waiting in a ready set to {@code dueAt} in priority {@code priority}'s set (out of
     * whichever set holds it). A callback someone holds is never moved.
     */
    public Future<RescheduleResult> reschedule(String id, int priority, Instant dueAt) {
        if (priority < 0 || priority > 9) {
            return Future.failedFuture(new IllegalArgumentException("priority must be 0..9"));
        }
        return redis.<Long>run(reschedule, ScriptOutputType.INTEGER, keys,
                        List.of(id, Integer.toString(priority), Long.toString(QueueScores.base(dueAt))))
                .map(r -> switch (r.intValue()) {
                    case 1 -> RescheduleResult.MOVED;
                    case 2 -> RescheduleResult.BUSY;
                    default -> RescheduleResult.NOT_FOUND;
                });
    }

    public Future<Stats> stats() {
        return redis.<List<Object>>run(stats, ScriptOutputType.MULTI, keys, List.of()).map(QueueAdmin::parseStats);
    }

    static Stats parseStats(List<Object> r) {
        Instant now = Instant.ofEpochMilli(RedisScripts.num(r.get(0)));
        long leased = RedisScripts.num(r.get(1));
        long parked = RedisScripts.num(r.get(2));
        Long[] waiting = new Long[10];
        Long[] due = new Long[10];
        Long lowest = null;
        for (int p = 0; p < 10; p++) {
            int i = 3 + p * 3;
            waiting[p] = RedisScripts.num(r.get(i));
            due[p] = RedisScripts.num(r.get(i + 1));
            String score = RedisScripts.str(r.get(i + 2));
            if (score != null && !score.isEmpty()) {
                long s = (long) Double.parseDouble(score);
                lowest = lowest == null ? s : Math.min(lowest, s);
            }
        }
        Instant oldest = lowest == null ? null : Instant.ofEpochMilli(QueueScores.dueMillis(lowest));
        return new Stats(List.of(waiting), List.of(due), oldest, leased, parked, now);
    }
}
