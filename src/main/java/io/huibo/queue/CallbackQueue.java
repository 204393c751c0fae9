package io.huibo.queue;

import io.huibo.cluster.NodeLeases;
import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The Redis schedule of callbacks waiting to be dialed, shared by every Huibo instance.
 *
 * <p>Keys, all under the one hash tag and passed in KEYS to every script, in this order: {@code leases}
 * zset id -> lease expiry; hashes by callback id {@code owner}, {@code fence} (the claim's token),
 * {@code prio}, {@code inflight} ({@code attempt|node|channel|startedMillis} of the attempt being
 * dialed); {@code parked} zset id -> since when it waits for its node's owner; counters
 * {@code fenceseq} and {@code seq}; the node leases and drain set of {@link NodeLeases};
 * {@code orphaned} set; {@code ready:0..9} zsets by priority, score dueMillis*4096 + seq%4096. A
 * waiting callback uses its ready entry only; the hashes hold entries while it is claimed or parked.
 *
 * <p>Every state change is one script, atomic, with "now" from Redis {@code TIME}; every step of an
 * owner carries its claim's fence, so a stale owner (lease expired, re-claimed) is refused. Lettuce
 * replays unanswered commands after a reconnect, so a claim may run twice; the callbacks of the lost
 * reply stay leased until the reaper puts them back.
 */
public final class CallbackQueue {

    /** How many expired leases one reap script handles, so one script never blocks Redis for long. */
    static final int REAP_BATCH = 1000;

    private final RedisScripts redis;
    private final List<String> keys;
    private final String epochKey;
    private final RedisScripts.Script enqueue;
    private final RedisScripts.Script restore;
    private final RedisScripts.Script claim;
    private final RedisScripts.Script claimParked;
    private final RedisScripts.Script markDialing;
    private final RedisScripts.Script renew;
    private final RedisScripts.Script ack;
    private final RedisScripts.Script retry;
    private final RedisScripts.Script park;
    private final RedisScripts.Script reap;
    private final RedisScripts.Script releaseOrphans;
    private final RedisScripts.Script cancel;
    private final RedisScripts.Script pending;
    private final RedisScripts.Script epoch;
    private final RedisScripts.Script position;

    /** Loads the scripts (blocking: call it at start). */
    public CallbackQueue(RedisScripts redis) {
        this.redis = redis;
        List<String> k = new ArrayList<>(List.of(
                redis.key("leases"), redis.key("owner"), redis.key("fence"), redis.key("prio"),
                redis.key("inflight"), redis.key("parked"), redis.key("fenceseq"), redis.key("seq"),
                redis.key(NodeLeases.LEASES), redis.key(NodeLeases.DRAINING), redis.key("orphaned")));
        for (int p = 0; p <= 9; p++) {
            k.add(redis.key("ready:" + p));
        }
        this.keys = List.copyOf(k);
        this.epochKey = redis.key("epoch");
        this.enqueue = redis.script(CallbackQueue.class, "enqueue");
        this.restore = redis.script(CallbackQueue.class, "restore");
        this.claim = redis.script(CallbackQueue.class, "claim");
        this.claimParked = redis.script(CallbackQueue.class, "claimParked");
        this.markDialing = redis.script(CallbackQueue.class, "markDialing");
        this.renew = redis.script(CallbackQueue.class, "renew");
        this.ack = redis.script(CallbackQueue.class, "ack");
        this.retry = redis.script(CallbackQueue.class, "retry");
        this.park = redis.script(CallbackQueue.class, "park");
        this.reap = redis.script(CallbackQueue.class, "reap");
        this.releaseOrphans = redis.script(CallbackQueue.class, "releaseOrphans");
        this.cancel = redis.script(CallbackQueue.class, "cancel");
        this.pending = redis.script(CallbackQueue.class, "pending");
        this.epoch = redis.script(CallbackQueue.class, "epoch");
        this.position = redis.script(CallbackQueue.class, "position");
    }

    /**
     * Queues a callback due at {@code dueAt} (null: now, Redis time); false if it is already ready,
     * leased or parked (idempotent).
     */
    public Future<Boolean> enqueue(String id, int priority, Instant dueAt) {
        try {
            checkPriority(priority);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        String due = dueAt == null ? "" : Long.toString(QueueScores.base(dueAt));
        Context ctx = Vertx.currentContext();
        if (ctx == null || !ctx.isEventLoopContext()) {
            return redis.<List<Object>>run(enqueue, ScriptOutputType.MULTI, keys,
                    List.of(id, Integer.toString(priority), due)).map(r -> RedisScripts.num(r.get(0)) == 1L);
        }
        // Coalesce: callbacks accepted in the same event-loop turn (a group commit completes many at
        // once) go to Redis in one script call, sent when the turn is over.
        Promise<Boolean> p = Promise.promise();
        List<PendingEnqueue> batch = PENDING.get();
        if (batch.isEmpty()) {
            ctx.runOnContext(v -> flushEnqueues());
        }
        batch.add(new PendingEnqueue(id, priority, due, p));
        return p.future();
    }

    private record PendingEnqueue(String id, int priority, String due, Promise<Boolean> promise) {
    }

    /** Per event-loop thread: a context always runs on the same thread. */
    private static final ThreadLocal<List<PendingEnqueue>> PENDING = ThreadLocal.withInitial(ArrayList::new);

    private void flushEnqueues() {
        List<PendingEnqueue> batch = new ArrayList<>(PENDING.get());
        PENDING.get().clear();
        List<String> args = new ArrayList<>(batch.size() * 3);
        for (PendingEnqueue e : batch) {
            args.add(e.id());
            args.add(Integer.toString(e.priority()));
            args.add(e.due());
        }
        redis.<List<Object>>run(enqueue, ScriptOutputType.MULTI, keys, args).onComplete(ar -> {
            for (int k = 0; k < batch.size(); k++) {
                Promise<Boolean> p = batch.get(k).promise();
                if (ar.failed()) {
                    p.fail(ar.cause());
                } else {
                    p.complete(RedisScripts.num(ar.result().get(k)) == 1L);
                }
            }
        });
    }

    /**
     * Re-indexes a callback after Redis lost its data, due now, keeping its in-flight attempt if there is
     * one; false if it is indexed already.
     */
    public Future<Boolean> restore(String id, int priority, int attempt, String node, String channelId,
                                   Instant startedAt) {
        try {
            checkPriority(priority);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return bool(redis.run(restore, ScriptOutputType.INTEGER, keys, List.of(id, Integer.toString(priority),
                Integer.toString(Math.max(0, attempt)), RedisScripts.nz(node), RedisScripts.nz(channelId),
                startedAt == null ? "" : Long.toString(startedAt.toEpochMilli()))));
    }

    /** Leases up to {@code max} callbacks due now (Redis time), priority 9 first, FIFO within a priority. */
    public Future<List<Claim>> claim(int max, Duration leaseTtl, String owner) {
        if (max <= 0) {
            return Future.succeededFuture(List.of());
        }
        return redis.<List<Object>>run(claim, ScriptOutputType.MULTI, keys,
                        List.of(Integer.toString(max), Long.toString(leaseTtl.toMillis()),
                                Objects.requireNonNull(owner, "owner")))
                .map(CallbackQueue::parseClaims);
    }

    /** Leases callbacks parked for {@code nodes}, only those whose node lease {@code owner} holds. */
    public Future<List<Claim>> claimParked(Collection<String> nodes, int max, Duration leaseTtl, String owner) {
        if (max <= 0 || nodes.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<String> args = new ArrayList<>(nodes.size() + 3);
        args.add(Integer.toString(max));
        args.add(Long.toString(leaseTtl.toMillis()));
        args.add(Objects.requireNonNull(owner, "owner"));
        args.addAll(nodes);
        return redis.<List<Object>>run(claimParked, ScriptOutputType.MULTI, keys, args)
                .map(CallbackQueue::parseClaims);
    }

    /**
     * Records the attempt about to be dialed. Checks the claim's fence and lease, and that {@code owner}
     * holds the node's lease with {@code nodeToken} and the node is not draining.
     */
    public Future<MarkResult> markDialing(String id, String owner, long fence, int attempt, String node,
                                          String channelId, Instant startedAt, long nodeToken) {
        return redis.<Long>run(markDialing, ScriptOutputType.INTEGER, keys, List.of(id, owner,
                        Long.toString(fence), Integer.toString(attempt), node, RedisScripts.nz(channelId),
                        Long.toString(startedAt.toEpochMilli()), Long.toString(nodeToken)))
                .map(r -> switch (r.intValue()) {
                    case 1 -> MarkResult.MARKED;
                    case 2 -> MarkResult.NODE_REFUSED;
                    default -> MarkResult.LEASE_LOST;
                });
    }

    /** Renews the leases still held with these fences; returns the ids that were NOT renewed (lost). */
    public Future<Set<String>> renew(Map<String, Long> fences, String owner, Duration leaseTtl) {
        if (fences.isEmpty()) {
            return Future.succeededFuture(Set.of());
        }
        List<String> args = new ArrayList<>(fences.size() * 2 + 2);
        args.add(owner);
        args.add(Long.toString(leaseTtl.toMillis()));
        fences.forEach((id, fence) -> {
            args.add(id);
            args.add(Long.toString(fence));
        });
        return redis.<List<Object>>run(renew, ScriptOutputType.MULTI, keys, args).map(lost -> {
            Set<String> ids = new LinkedHashSet<>();
            lost.forEach(o -> ids.add(RedisScripts.str(o)));
            return ids;
        });
    }

    /** The callback is finished: forgotten; false if the lease is not {@code owner}'s with this fence. */
    public Future<Boolean> ack(String id, String owner, long fence) {
        return bool(redis.run(ack, ScriptOutputType.INTEGER, keys, List.of(id, owner, Long.toString(fence))));
    }

    /** Back to ready, due at Redis-now + {@code delay}, in-flight info dropped; false if not ours. */
    public Future<Boolean> retry(String id, String owner, long fence, int priority, Duration delay) {
        try {
            checkPriority(priority);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return bool(redis.run(retry, ScriptOutputType.INTEGER, keys, List.of(id, owner, Long.toString(fence),
                Integer.toString(priority), Long.toString(Math.max(0, delay.toMillis())))));
    }

    /**
     * Hands a leased callback whose attempt is in flight to the owner of that attempt's node (see
     * {@link #claimParked}); false if not ours or nothing is in flight.
     */
    public Future<Boolean> park(String id, String owner, long fence) {
        return bool(redis.run(park, ScriptOutputType.INTEGER, keys, List.of(id, owner, Long.toString(fence))));
    }

    /**
     * Expired leases (Redis time): one with an attempt in flight on a node is parked for that node's
     * owner, the others go back to ready, due now. Returns how many.
     */
    public Future<Integer> reap() {
        return reapFrom(0);
    }

    /** Runs the reap script in batches of {@link #REAP_BATCH} until a batch comes back short. */
    private Future<Integer> reapFrom(int sofar) {
        return redis.<Long>run(reap, ScriptOutputType.INTEGER, keys, List.of(Integer.toString(REAP_BATCH)))
                .compose(n -> n >= REAP_BATCH
                        ? reapFrom(sofar + n.intValue())
                        : Future.succeededFuture(sofar + n.intValue()));
    }

    /**
     * Callbacks parked longer than {@code bound} for a node nobody holds the lease of (down, removed) go
     * back to ready, due now, and their next claim says {@link Claim#orphaned()}. Returns how many.
     */
    public Future<Integer> releaseOrphans(Duration bound) {
        return redis.<Long>run(releaseOrphans, ScriptOutputType.INTEGER, keys,
                List.of(Long.toString(bound.toMillis()), Integer.toString(REAP_BATCH))).map(Long::intValue);
    }

    /**
     * Removes a waiting callback. BUSY when it is leased or parked, and also when it waits in ready with
     * an attempt left in flight by an expired owner (that call may still be live: the next owner must
     * find out, so it is not dropped).
     */
    public Future<CancelResult> cancel(String id) {
        return redis.<Long>run(cancel, ScriptOutputType.INTEGER, keys, List.of(id)).map(r -> switch (r.intValue()) {
            case 1 -> CancelResult.CANCELLED;
            case 2 -> CancelResult.BUSY;
            default -> CancelResult.NOT_FOUND;
        });
    }

    /** Where a waiting callback stands: {@code ahead} claimed before it, due at {@code dueAt}. */
    public record Position(long ahead, Instant dueAt) {
    }

    /**
     * How many ready callbacks a claim takes before this one (higher priorities due by its due time, or
     * now; its own priority with lower scores); empty when it is not waiting (leased, parked, gone).
     */
    public Future<java.util.Optional<Position>> position(String id) {
        return redis.<List<Object>>run(position, ScriptOutputType.MULTI, keys, List.of(id))
                .map(r -> r == null || r.size() < 2 ? java.util.Optional.<Position>empty()
                        : java.util.Optional.of(new Position(RedisScripts.num(r.get(0)),
                                Instant.ofEpochMilli(RedisScripts.num(r.get(1))))));
    }

    /** Callbacks waiting in the ready sets (leased and parked ones are not counted). */
    public Future<Long> pendingCount() {
        return redis.run(pending, ScriptOutputType.INTEGER, keys, List.of());
    }

    /**
     * The epoch of Redis' data set, created if missing, and the serving process: {@code <epoch>@<run_id>}.
     * Another value than the one seen before means Redis lost its data (restarted without its files,
     * flushed) or another process serves it (a restart, a Sentinel failover to a replica that may lack
     * the last writes): MariaDB must be indexed again.
     */
    public Future<String> epoch() {
        return redis.<String>run(epoch, ScriptOutputType.VALUE, List.of(epochKey),
                List.of(UUID.randomUUID().toString()));
    }

    public Future<Boolean> ping() {
        return redis.ping();
    }

    /** The KEYS every script of this package gets, in order (for {@link QueueAdmin}'s scripts). */
    List<String> keys() {
        return keys;
    }

    private static Future<Boolean> bool(Future<Long> f) {
        return f.map(r -> r != null && r == 1L);
    }

    /** Claims come as (id, priority, fence, inflight, orphaned) per callback. */
    static List<Claim> parseClaims(List<Object> flat) {
        List<Claim> claims = new ArrayList<>(flat.size() / 5);
        for (int i = 0; i + 4 < flat.size(); i += 5) {
            String id = RedisScripts.str(flat.get(i));
            int prio = (int) RedisScripts.num(flat.get(i + 1));
            long fence = RedisScripts.num(flat.get(i + 2));
            boolean orphaned = RedisScripts.num(flat.get(i + 4)) == 1L;
            String inflight = RedisScripts.str(flat.get(i + 3));
            claims.add(withInflight(id, prio, fence, inflight, orphaned));
        }
        return claims;
    }

    /** {@code attempt|node|channel|startedMillis}, each part possibly empty. */
    static Claim withInflight(String id, int prio, long fence, String inflight, boolean orphaned) {
        if (inflight == null) {
            return new Claim(id, prio, fence, 0, null, null, null, orphaned);
        }
        String[] p = inflight.split("\\|", -1);
        int attempt = p[0].isEmpty() ? 0 : Integer.parseInt(p[0]);
        String node = p.length > 1 ? RedisScripts.str(p[1]) : null;
        String channel = p.length > 2 ? RedisScripts.str(p[2]) : null;
        Instant started = p.length > 3 && !p[3].isEmpty() ? Instant.ofEpochMilli(Long.parseLong(p[3])) : null;
        return new Claim(id, prio, fence, attempt, node, channel, started, orphaned);
    }

    private static void checkPriority(int priority) {
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("priority must be 0..9");
        }
    }
}
