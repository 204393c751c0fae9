package io.huibo.queue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Redis queue of callbacks waiting to be dialed, shared by every Huibo instance.
 *
 * <p>Keys (all under the hash tag {@code {P}} so one script touches one cluster slot):
 * {@code {P}:ready:0..9} zsets by priority with score dueMillis*4096 + seq%4096, {@code {P}:leases}
 * zset id -> lease expiry, {@code {P}:job:<id>} hash only once claimed (owner, prio, fence and the
 * in-flight attempt/node/channel). Every state change is one Lua script so it is atomic; every
 * mutation by an owner checks the owner so a stale one (lease expired, re-claimed) is refused.
 *
 * <p>One Lettuce connection, async: commands from all callers are pipelined on it. Lettuce replays
 * unanswered commands after a reconnect, so a claim may run twice; the callbacks of the lost reply
 * stay leased until the reaper puts them back.
 */
public final class CallbackQueue implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    /** How many expired leases one reap script handles, so one script never blocks Redis for long. */
    static final int REAP_BATCH = 1000;

    public enum Script {
        ENQUEUE("enqueue"), ENQUEUE_MANY("enqueueMany"), RESTORE("restore"), CLAIM("claim"), MARK_DIALING("markDialing"),
        RENEW("renew"), ACK("ack"), RETRY("retry"), CANCEL("cancel"), REAP("reap"),
        PENDING("pending"),
        // node ownership and hand-over between instances (see NodeLeases)
        MARK_DIALING_ON_NODE("markDialingOnNode"), PARK("park"), CLAIM_PARKED("claimParked"),
        REAP_TO_NODES("reapToNodes"), NODE_TICK("nodeTick"), NODE_ACQUIRE("nodeAcquire"),
        NODE_RELEASE("nodeRelease"), NODE_DRAIN("nodeDrain"), INSTANCE_LEAVE("instanceLeave"),
        NODES_RELOAD("nodesReload"),
        // trunk limits shared by all instances (routing.RedisTrunkLimiter)
        TRUNK_ACQUIRE("trunkAcquire"), TRUNK_RELEASE("trunkRelease");

        final String file;

        Script(String file) {
            this.file = file;
        }
    }

    private record Loaded(String body, String sha) {
    }

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String base;
    private final String[] leasesKey;
    private final Map<Script, Loaded> scripts;

    private CallbackQueue(RedisClient client, StatefulRedisConnection<String, String> connection,
                          String keyPrefix, Map<Script, Loaded> scripts) {
        this.client = client;
        this.connection = connection;
        this.redis = connection.async();
        this.base = "{" + keyPrefix + "}";
        this.leasesKey = new String[] {base + ":leases"};
        this.scripts = scripts;
    }

    /**
     * Connects and loads the scripts. Blocking (call it at start, not on an event loop); fails within a
     * few seconds with a one-line {@link QueueUnavailableException} if Redis cannot be reached.
     */
    public static CallbackQueue connect(String redisUri, String keyPrefix) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
            throw new IllegalArgumentException("redis key prefix must be non-empty and without braces");
        }
        String shown = redact(redisUri);
        RedisURI uri;
        try {
            uri = RedisURI.create(redisUri);
        } catch (RuntimeException e) {
            throw new QueueUnavailableException("Invalid Redis URI " + shown + ": " + oneLine(e), e);
        }
        uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                // A command must not wait forever while Redis is away: it fails after the timeout.
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect(StringCodec.UTF8);
            Map<Script, Loaded> scripts = new EnumMap<>(Script.class);
            for (Script s : Script.values()) {
                String body = readScript(s);
                String sha = connection.sync().scriptLoad(body);
                scripts.put(s, new Loaded(body, sha));
            }
            return new CallbackQueue(client, connection, keyPrefix, scripts);
        } catch (RedisException e) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(0, 2, TimeUnit.SECONDS);
            throw new QueueUnavailableException("Redis unreachable at " + shown + ": " + oneLine(e), e);
        }
    }

    /** Queues a callback; false if it is already ready or leased. */
    public Future<Boolean> enqueue(String id, int priority, Instant dueAt) {
        try {
            checkPriority(priority);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        Context ctx = Vertx.currentContext();
        if (ctx == null || !ctx.isEventLoopContext()) {
            return bool(run(Script.ENQUEUE, ScriptOutputType.INTEGER,
                    base, id, Integer.toString(priority), Long.toString(QueueScores.base(dueAt))));
        }
        // Coalesce: callbacks accepted in the same event-loop turn (a group commit completes many at
        // once) go to Redis in one script call, sent when the turn is over.
        Promise<Boolean> p = Promise.promise();
        List<PendingEnqueue> batch = PENDING.get();
        if (batch.isEmpty()) {
            ctx.runOnContext(v -> flushEnqueues(ctx));
        }
        batch.add(new PendingEnqueue(id, priority, QueueScores.base(dueAt), p));
        return p.future();
    }

    private record PendingEnqueue(String id, int priority, long score, Promise<Boolean> promise) {
    }

    /** Per event-loop thread: a context always runs on the same thread. */
    private static final ThreadLocal<List<PendingEnqueue>> PENDING = ThreadLocal.withInitial(ArrayList::new);

    private void flushEnqueues(Context ctx) {
        List<PendingEnqueue> batch = new ArrayList<>(PENDING.get());
        PENDING.get().clear();
        String[] args = new String[1 + batch.size() * 3];
        args[0] = base;
        int i = 1;
        for (PendingEnqueue e : batch) {
            args[i++] = e.id();
            args[i++] = Integer.toString(e.priority());
            args[i++] = Long.toString(e.score());
        }
        CompletionStage<List<Object>> stage = run(Script.ENQUEUE_MANY, ScriptOutputType.MULTI, args);
        Future.fromCompletionStage(stage, ctx).onComplete(ar -> {
            for (int k = 0; k < batch.size(); k++) {
                Promise<Boolean> p = batch.get(k).promise();
                if (ar.failed()) {
                    p.fail(ar.cause());
                } else {
                    Object r = ar.result().get(k);
                    p.complete(r instanceof Long l && l == 1L);
                }
            }
        });
    }

    /** Re-indexes a callback after Redis lost its data, keeping its in-flight attempt if there is one. */
    public Future<Boolean> restore(String id, int priority, Instant dueAt, int attempt, String node,
                                   String channelId) {
        try {
            checkPriority(priority);
            return bool(run(Script.RESTORE, ScriptOutputType.INTEGER,
                    base, id, Integer.toString(priority), Long.toString(QueueScores.base(dueAt)),
                    Integer.toString(Math.max(0, attempt)), nz(node), nz(channelId)));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Takes up to {@code max} callbacks due at {@code now}, priority 9 first, FIFO within a priority. */
    public Future<List<Claim>> claim(int max, Duration leaseTtl, String owner, Instant now) {
        if (max <= 0) {
            return Future.succeededFuture(List.of());
        }
        CompletionStage<List<Object>> raw = run(Script.CLAIM, ScriptOutputType.MULTI,
                base, Integer.toString(max), Long.toString(QueueScores.maxDueScore(now)),
                Long.toString(now.plus(leaseTtl).toEpochMilli()), Objects.requireNonNull(owner, "owner"));
        return back(raw.thenApply(CallbackQueue::parseClaims));
    }

    /** Records the attempt being dialed; false if {@code owner} no longer holds the lease. */
    public Future<Boolean> markDialing(String id, String owner, int attempt, String node, String channelId) {
        return bool(run(Script.MARK_DIALING, ScriptOutputType.INTEGER,
                base, id, owner, Integer.toString(attempt), nz(node), nz(channelId)));
    }

    /** Extends the leases {@code owner} still holds; returns how many. */
    public Future<Integer> renew(Collection<String> ids, String owner, Duration leaseTtl, Instant now) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(0);
        }
        List<String> args = new ArrayList<>(ids.size() + 3);
        args.add(base);
        args.add(owner);
        args.add(Long.toString(now.plus(leaseTtl).toEpochMilli()));
        args.addAll(ids);
        CompletionStage<Long> raw = run(Script.RENEW, ScriptOutputType.INTEGER, args.toArray(String[]::new));
        return back(raw.thenApply(Long::intValue));
    }

    /** The callback is finished: removes lease and job; false if {@code owner} no longer holds it. */
    public Future<Boolean> ack(String id, String owner) {
        return bool(run(Script.ACK, ScriptOutputType.INTEGER, base, id, owner));
    }

    /** Back to ready for a later attempt; clears owner and in-flight info; false for a stale owner. */
    public Future<Boolean> retry(String id, String owner, int priority, Instant dueAt) {
        try {
            checkPriority(priority);
            return bool(run(Script.RETRY, ScriptOutputType.INTEGER,
                    base, id, owner, Integer.toString(priority), Long.toString(QueueScores.base(dueAt))));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * Removes a waiting callback. BUSY when it is leased, and also when it waits in ready with an
     * attempt left in flight by an expired owner (that call may still be live: the next owner must
     * reconcile it, so it is not dropped).
     */
    public Future<CancelResult> cancel(String id) {
        CompletionStage<Long> raw = run(Script.CANCEL, ScriptOutputType.INTEGER, base, id);
        return back(raw.thenApply(r -> switch (r.intValue()) {
            case 1 -> CancelResult.CANCELLED;
            case 2 -> CancelResult.BUSY;
            default -> CancelResult.NOT_FOUND;
        }));
    }

    /** Expired leases back to ready, due now; owner cleared, in-flight info kept. Returns how many. */
    public Future<Integer> reap(Instant now) {
        return back(reapFrom(Script.REAP, now, 0));
    }

    /** Runs a reap script in batches of {@link #REAP_BATCH} until a batch comes back short. */
    private CompletionStage<Integer> reapFrom(Script script, Instant now, int sofar) {
        CompletionStage<Long> raw = run(script, ScriptOutputType.INTEGER, base,
                Long.toString(now.toEpochMilli()), Long.toString(QueueScores.base(now)),
                Integer.toString(REAP_BATCH));
        return raw.thenCompose(n -> n >= REAP_BATCH
                ? reapFrom(script, now, sofar + n.intValue())
                : CompletableFuture.completedFuture(sofar + n.intValue()));
    }

    /**
     * {@link #markDialing}, fenced by the node: refused unless {@code owner} holds the node's ownership
     * lease with {@code nodeToken} and the node is not draining.
     */
    public Future<MarkResult> markDialingOnNode(String id, String owner, int attempt, String node, String channelId,
                                                long nodeToken) {
        CompletionStage<Long> raw = run(Script.MARK_DIALING_ON_NODE, ScriptOutputType.INTEGER,
                base, id, owner, Integer.toString(attempt), nz(node), nz(channelId), Long.toString(nodeToken));
        return back(raw.thenApply(r -> switch (r.intValue()) {
            case 1 -> MarkResult.MARKED;
            case 2 -> MarkResult.NODE_REFUSED;
            default -> MarkResult.LEASE_LOST;
        }));
    }

    /**
     * Hands a leased callback whose attempt is in flight to the owner of that attempt's node (see
     * {@link #claimParked}); false if {@code owner} no longer holds it or nothing is in flight.
     */
    public Future<Boolean> park(String id, String owner, Instant now) {
        return bool(run(Script.PARK, ScriptOutputType.INTEGER, base, id, owner, Long.toString(now.toEpochMilli())));
    }

    /** Claims callbacks parked on {@code nodes} that {@code owner} owns (their attempts run there). */
    public Future<List<Claim>> claimParked(Collection<String> nodes, int max, Duration leaseTtl, String owner,
                                           Instant now) {
        if (max <= 0 || nodes.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<String> args = new ArrayList<>(nodes.size() + 4);
        args.add(base);
        args.add(Integer.toString(max));
        args.add(Long.toString(now.plus(leaseTtl).toEpochMilli()));
        args.add(Objects.requireNonNull(owner, "owner"));
        args.addAll(nodes);
        CompletionStage<List<Object>> raw = run(Script.CLAIM_PARKED, ScriptOutputType.MULTI,
                args.toArray(String[]::new));
        return back(raw.thenApply(CallbackQueue::parseClaims));
    }

    /**
     * {@link #reap} for several instances: an expired lease with an attempt in flight on a node is
     * parked for that node's owner instead of going back to ready.
     */
    public Future<Integer> reapToNodes(Instant now) {
        return back(reapFrom(Script.REAP_TO_NODES, now, 0));
    }

    /** Callbacks waiting in the ready sets (leased ones are not counted). */
    public Future<Long> pendingCount() {
        return back(run(Script.PENDING, ScriptOutputType.INTEGER, base));
    }

    public Future<Boolean> ping() {
        Context ctx = Vertx.currentContext();
        CompletionStage<Boolean> stage = redis.ping().thenApply("PONG"::equals);
        return ctx == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, ctx);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- plumbing

    /** EVALSHA; on NOSCRIPT (Redis restarted or flushed its script cache) loads the script again once. */
    public <T> CompletionStage<T> run(Script script, ScriptOutputType type, String... args) {
        Loaded loaded = scripts.get(script);
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletionStage<T> sent;
        try {
            sent = redis.evalsha(loaded.sha(), type, leasesKey, args);
        } catch (RuntimeException e) {
            // Lettuce throws instead of failing the future once the connection is closed (shutdown):
            // callers handle one failure path only
            result.completeExceptionally(e);
            return result;
        }
        sent.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else if (unwrap(error) instanceof RedisNoScriptException) {
                redis.scriptLoad(loaded.body())
                        .thenCompose(sha -> redis.<T>evalsha(sha, type, leasesKey, args))
                        .whenComplete((v, e) -> {
                            if (e == null) {
                                result.complete(v);
                            } else {
                                result.completeExceptionally(unwrap(e));
                            }
                        });
            } else {
                result.completeExceptionally(unwrap(error));
            }
        });
        return result;
    }

    /** Completes on the Vert.x context of the caller, when there is one (never on Lettuce's threads). */
    public static <T> Future<T> back(CompletionStage<T> stage) {
        Context ctx = Vertx.currentContext();
        return ctx == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, ctx);
    }

    private static Future<Boolean> bool(CompletionStage<Long> stage) {
        return back(stage.thenApply(r -> r != null && r == 1L));
    }

    static List<Claim> parseClaims(List<Object> flat) {
        List<Claim> claims = new ArrayList<>(flat.size() / 6);
        for (int i = 0; i + 5 < flat.size(); i += 6) {
            String attempt = str(flat.get(i + 3));
            claims.add(new Claim(
                    str(flat.get(i)),
                    (int) num(flat.get(i + 1)),
                    num(flat.get(i + 2)),
                    attempt == null ? 0 : Integer.parseInt(attempt),
                    str(flat.get(i + 4)),
                    str(flat.get(i + 5))));
        }
        return claims;
    }

    public String base() {
        return base;
    }

    /**
     * Runs one of the trunk-limit scripts for {@code routing.RedisTrunkLimiter} (which shares this
     * connection and key prefix). The future completes on the caller's context.
     */
    public Future<Long> trunkScript(boolean acquire, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = base;
        System.arraycopy(args, 0, all, 1, args.length);
        return back(run(acquire ? Script.TRUNK_ACQUIRE : Script.TRUNK_RELEASE, ScriptOutputType.INTEGER, all));
    }

    public static String str(Object o) {
        if (o == null) {
            return null;
        }
        String s = o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : o.toString();
        return s.isEmpty() ? null : s;
    }

    public static long num(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(str(o));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static void checkPriority(int priority) {
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("priority must be 0..9");
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String readScript(Script s) {
        String path = s.file + ".lua";
        try (InputStream in = CallbackQueue.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing queue script " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read queue script " + path, e);
        }
    }

    /** The URI without user and password, for messages. */
    static String redact(String uri) {
        return uri == null ? "null" : uri.replaceFirst("(?<=://)[^@/]*@", "");
    }

    /**
     * The most telling message of a failure, on one line: the root cause without Netty's address suffix
     * ("Connection refused: /127.0.0.1:6390" -> "Connection refused").
     */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = root.getClass().getSimpleName();
        }
        msg = msg.replaceAll("[\\r\\n]+", " ").trim();
        int addr = msg.indexOf(": /");
        if (addr > 0) {
            msg = msg.substring(0, addr);
        }
        return msg;
    }
}
