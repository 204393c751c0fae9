package io.huibo.queue;

import io.huibo.domain.CallbackIds;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the real Redis at 127.0.0.1:6379, under a key prefix of its own. */
class CallbackQueueIT {

    static final String URI = System.getProperty("huibo.it.redis", "redis://127.0.0.1:6379");
    static final String PREFIX = "huibo_it_" + UUID.randomUUID().toString().substring(0, 8);
    static final String BASE = "{" + PREFIX + "}";
    static final Duration TTL = Duration.ofSeconds(30);

    static CallbackQueue queue;
    static RedisClient inspectClient;
    static StatefulRedisConnection<String, String> inspectConn;
    static RedisCommands<String, String> redis;

    @BeforeAll
    static void connect() {
        queue = CallbackQueue.connect(URI, PREFIX);
        inspectClient = RedisClient.create(URI);
        inspectConn = inspectClient.connect(StringCodec.UTF8);
        redis = inspectConn.sync();
    }

    @AfterAll
    static void cleanUp() {
        clearKeys();
        queue.close();
        inspectConn.close();
        inspectClient.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @BeforeEach
    void fresh() {
        clearKeys();
    }

    static void clearKeys() {
        List<String> keys = keys();
        if (!keys.isEmpty()) {
            redis.del(keys.toArray(String[]::new));
        }
    }

    static List<String> keys() {
        List<String> keys = new ArrayList<>();
        ScanIterator.scan(redis, ScanArgs.Builder.matches(BASE + ":*").limit(1000)).forEachRemaining(keys::add);
        return keys;
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static List<String> ids(List<Claim> claims) {
        return claims.stream().map(Claim::id).toList();
    }

    @Test
    void claimsDueCallbacksByPriorityThenFifo() throws Exception {
        Instant t0 = Instant.now();
        String low = CallbackIds.next();
        String midFirst = CallbackIds.next();
        String midSecond = CallbackIds.next();
        String high = CallbackIds.next();
        String lowOlder = CallbackIds.next();
        String future = CallbackIds.next();
        // midSecond has the smaller id but was enqueued later in the same millisecond: order is by enqueue
        assertThat(await(queue.enqueue(low, 0, t0))).isTrue();
        assertThat(await(queue.enqueue(midFirst, 5, t0))).isTrue();
        assertThat(await(queue.enqueue(midSecond, 5, t0))).isTrue();
        assertThat(await(queue.enqueue(high, 9, t0.plusMillis(1)))).isTrue();
        assertThat(await(queue.enqueue(lowOlder, 0, t0.minusSeconds(10)))).isTrue();
        assertThat(await(queue.enqueue(future, 9, t0.plusSeconds(60)))).isTrue();
        assertThat(await(queue.enqueue(low, 0, t0))).as("already queued").isFalse();
        assertThat(await(queue.pendingCount())).isEqualTo(6);

        List<Claim> claims = await(queue.claim(10, TTL, "w1", t0.plusMillis(1)));
        assertThat(ids(claims)).containsExactly(high, midFirst, midSecond, lowOlder, low);
        assertThat(claims).extracting(Claim::priority).containsExactly(9, 5, 5, 0, 0);
        assertThat(claims).noneMatch(Claim::hasInflight);
        assertThat(claims.stream().map(Claim::fence).distinct().count()).isEqualTo(5);
        assertThat(redis.zcard(BASE + ":leases")).isEqualTo(5);
        assertThat(await(queue.enqueue(low, 0, t0))).as("already leased").isFalse();

        assertThat(await(queue.claim(10, TTL, "w1", t0.plusSeconds(59)))).as("not yet due").isEmpty();
        assertThat(ids(await(queue.claim(10, TTL, "w1", t0.plusSeconds(60))))).containsExactly(future);
    }

    @Test
    void fifoWithinOneMillisecondForManyCallbacks() throws Exception {
        Instant t0 = Instant.now();
        List<String> enqueued = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = CallbackIds.next();
            enqueued.add(id);
            assertThat(await(queue.enqueue(id, 3, t0))).isTrue();
        }
        List<String> claimed = new ArrayList<>();
        claimed.addAll(ids(await(queue.claim(150, TTL, "w", t0))));
        claimed.addAll(ids(await(queue.claim(150, TTL, "w", t0))));
        assertThat(claimed).containsExactlyElementsOf(enqueued);
    }

    @Test
    void claimTakesAtMostMax() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 10; i++) {
            await(queue.enqueue(CallbackIds.next(), i % 10, now));
        }
        assertThat(await(queue.claim(3, TTL, "w", now))).hasSize(3);
        assertThat(await(queue.claim(3, TTL, "w", now))).hasSize(3);
        assertThat(await(queue.claim(3, TTL, "w", now))).hasSize(3);
        assertThat(await(queue.claim(3, TTL, "w", now))).hasSize(1);
        assertThat(await(queue.claim(3, TTL, "w", now))).isEmpty();
        assertThat(await(queue.claim(0, TTL, "w", now))).isEmpty();
        assertThat(await(queue.pendingCount())).isZero();
    }

    @Test
    void expiredLeaseIsReapedWithInflightInfoAndTheStaleOwnerIsFenced() throws Exception {
        Instant now = Instant.now();
        String id = CallbackIds.next();
        await(queue.enqueue(id, 7, now));
        Claim first = await(queue.claim(1, Duration.ofSeconds(1), "w1", now)).get(0);
        assertThat(await(queue.markDialing(id, "w1", 1, "sim1", "hb-" + id + "-1"))).isTrue();
        assertThat(await(queue.markDialing(id, "w2", 1, "sim1", "hb-" + id + "-1"))).as("not the owner").isFalse();

        assertThat(await(queue.reap(now.plusMillis(500)))).as("lease still valid").isZero();
        assertThat(await(queue.reap(now.plusSeconds(2)))).isEqualTo(1);
        assertThat(redis.zcard(BASE + ":leases")).isZero();
        assertThat(redis.hget(BASE + ":job:" + id, "owner")).as("owner cleared").isNull();
        assertThat(await(queue.pendingCount())).isEqualTo(1);
        assertThat(await(queue.ack(id, "w1"))).as("reaped: w1 no longer owns it").isFalse();

        Claim second = await(queue.claim(5, TTL, "w2", now.plusSeconds(2))).get(0);
        assertThat(second.id()).isEqualTo(id);
        assertThat(second.priority()).isEqualTo(7);
        assertThat(second.fence()).isGreaterThan(first.fence());
        assertThat(second.hasInflight()).isTrue();
        assertThat(second.inflightAttempt()).isEqualTo(1);
        assertThat(second.inflightNode()).isEqualTo("sim1");
        assertThat(second.inflightChannelId()).isEqualTo("hb-" + id + "-1");

        // the first owner comes back late: everything it tries is refused
        assertThat(await(queue.ack(id, "w1"))).isFalse();
        assertThat(await(queue.retry(id, "w1", 7, now))).isFalse();
        assertThat(await(queue.markDialing(id, "w1", 2, "sim2", "x"))).isFalse();
        assertThat(await(queue.renew(List.of(id), "w1", TTL, now))).isZero();
        assertThat(redis.zscore(BASE + ":leases", id)).isNotNull();

        assertThat(await(queue.ack(id, "w2"))).isTrue();
        assertThat(await(queue.ack(id, "w2"))).as("already gone").isFalse();
        assertThat(keys()).doesNotContain(BASE + ":job:" + id, BASE + ":leases");
        assertThat(await(queue.pendingCount())).isZero();
    }

    @Test
    void reapOfALeaseWithoutAttemptLeavesNoHash() throws Exception {
        Instant now = Instant.now();
        String id = CallbackIds.next();
        await(queue.enqueue(id, 2, now));
        await(queue.claim(1, Duration.ofMillis(100), "w1", now));
        assertThat(await(queue.reap(now.plusSeconds(1)))).isEqualTo(1);
        assertThat(redis.exists(BASE + ":job:" + id)).isZero();
        Claim again = await(queue.claim(1, TTL, "w2", now.plusSeconds(1))).get(0);
        assertThat(again.priority()).isEqualTo(2);
        assertThat(again.hasInflight()).isFalse();
    }

    @Test
    void concurrentClaimersNeverShareACallback() throws Exception {
        Instant now = Instant.now();
        int claimers = 4;
        int perClaimer = 2000;
        List<Future<Boolean>> enqueued = new ArrayList<>();
        for (int i = 0; i < claimers * perClaimer; i++) {
            enqueued.add(queue.enqueue(CallbackIds.next(), i % 10, now));
        }
        for (Future<Boolean> f : enqueued) {
            assertThat(await(f)).isTrue();
        }
        // each claimer on its own connection, so their scripts really interleave in Redis
        List<CallbackQueue> queues = new ArrayList<>();
        for (int i = 0; i < claimers; i++) {
            queues.add(CallbackQueue.connect(URI, PREFIX));
        }
        ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
        try {
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                CallbackQueue q = queues.get(i);
                String owner = "w" + i;
                runs.add(CompletableFuture.runAsync(() -> {
                    try {
                        while (true) {
                            List<Claim> batch = await(q.claim(37, TTL, owner, now));
                            if (batch.isEmpty()) {
                                return;
                            }
                            batch.forEach(c -> claimed.add(c.id()));
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            queues.forEach(CallbackQueue::close);
        }
        Set<String> distinct = new HashSet<>(claimed);
        assertThat(claimed).hasSize(claimers * perClaimer);
        assertThat(distinct).hasSize(claimers * perClaimer);
        assertThat(redis.zcard(BASE + ":leases")).isEqualTo(claimers * perClaimer);
        assertThat(await(queue.pendingCount())).isZero();
    }

    @Test
    void cancelRemovesOnlyWaitingCallbacks() throws Exception {
        Instant now = Instant.now();
        String queued = CallbackIds.next();
        String leased = CallbackIds.next();
        String reapedInFlight = CallbackIds.next();
        await(queue.enqueue(queued, 1, now.plusSeconds(5)));
        await(queue.enqueue(leased, 9, now));
        await(queue.enqueue(reapedInFlight, 8, now));
        assertThat(ids(await(queue.claim(2, Duration.ofSeconds(1), "w", now)))).containsExactly(leased, reapedInFlight);
        await(queue.markDialing(reapedInFlight, "w", 1, "sim1", "hb-" + reapedInFlight + "-1"));
        await(queue.renew(List.of(leased), "w", TTL, now));
        assertThat(await(queue.reap(now.plusSeconds(2)))).isEqualTo(1);

        assertThat(await(queue.cancel(queued))).isEqualTo(CancelResult.CANCELLED);
        assertThat(await(queue.cancel(queued))).isEqualTo(CancelResult.NOT_FOUND);
        assertThat(await(queue.cancel(leased))).isEqualTo(CancelResult.BUSY);
        assertThat(await(queue.cancel(reapedInFlight))).as("its call may still be live").isEqualTo(CancelResult.BUSY);
        assertThat(await(queue.cancel(CallbackIds.next()))).isEqualTo(CancelResult.NOT_FOUND);

        assertThat(ids(await(queue.claim(10, TTL, "w2", now.plusSeconds(10))))).containsExactly(reapedInFlight);
    }

    @Test
    void retryPutsItBackForLaterWithoutInflightInfo() throws Exception {
        Instant now = Instant.now();
        String id = CallbackIds.next();
        await(queue.enqueue(id, 4, now));
        await(queue.claim(1, TTL, "w1", now));
        await(queue.markDialing(id, "w1", 1, "sim1", "hb-" + id + "-1"));
        assertThat(await(queue.retry(id, "w2", 6, now.plusSeconds(1)))).as("not the owner").isFalse();
        assertThat(await(queue.retry(id, "w1", 6, now.plusSeconds(1)))).isTrue();
        assertThat(redis.exists(BASE + ":job:" + id)).as("only the zset entry remains").isZero();
        assertThat(redis.zscore(BASE + ":leases", id)).isNull();
        assertThat(redis.zscore(BASE + ":ready:6", id)).isNotNull();
        assertThat(await(queue.claim(1, TTL, "w1", now))).as("not due yet").isEmpty();
        Claim again = await(queue.claim(1, TTL, "w1", now.plusSeconds(1))).get(0);
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.priority()).isEqualTo(6);
        assertThat(again.hasInflight()).isFalse();
    }

    @Test
    void renewKeepsTheLeaseOfItsOwnerOnly() throws Exception {
        Instant now = Instant.now();
        String a = CallbackIds.next();
        String b = CallbackIds.next();
        await(queue.enqueue(a, 0, now));
        await(queue.enqueue(b, 0, now));
        await(queue.claim(1, Duration.ofSeconds(1), "w1", now));
        await(queue.claim(1, Duration.ofSeconds(1), "w2", now));
        assertThat(await(queue.renew(List.of(a, b, CallbackIds.next()), "w1", Duration.ofSeconds(10),
                now.plusMillis(500)))).isEqualTo(1);
        assertThat(await(queue.renew(List.of(), "w1", TTL, now))).isZero();
        assertThat(await(queue.reap(now.plusSeconds(2)))).as("only w2's lease expired").isEqualTo(1);
        assertThat(redis.zscore(BASE + ":leases", a)).isNotNull();
        assertThat(redis.zscore(BASE + ":leases", b)).isNull();
        assertThat(await(queue.ack(a, "w1"))).isTrue();
    }

    @Test
    void restoreReindexesWithInflightInfo() throws Exception {
        Instant now = Instant.now();
        String dialing = CallbackIds.next();
        String queued = CallbackIds.next();
        assertThat(await(queue.restore(dialing, 4, now, 2, "sim2", "hb-" + dialing + "-2"))).isTrue();
        assertThat(await(queue.restore(dialing, 4, now, 2, "sim2", "hb-" + dialing + "-2"))).isFalse();
        assertThat(await(queue.enqueue(dialing, 4, now))).isFalse();
        assertThat(await(queue.restore(queued, 1, now, 0, null, null))).isTrue();
        assertThat(redis.exists(BASE + ":job:" + queued)).isZero();

        List<Claim> claims = await(queue.claim(5, TTL, "w", now));
        assertThat(claims).hasSize(2);
        Claim c = claims.get(0);
        assertThat(c.id()).isEqualTo(dialing);
        assertThat(c.inflightAttempt()).isEqualTo(2);
        assertThat(c.inflightNode()).isEqualTo("sim2");
        assertThat(c.inflightChannelId()).isEqualTo("hb-" + dialing + "-2");
        assertThat(claims.get(1).id()).isEqualTo(queued);
        assertThat(claims.get(1).hasInflight()).isFalse();
    }

    @Test
    void aPendingCallbackCostsOnlyItsZsetEntry() throws Exception {
        Instant now = Instant.now();
        int n = 100_000;
        List<Future<Boolean>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(queue.enqueue(CallbackIds.next(), 0, now.plusMillis(i % 5000)));
            if (batch.size() == 10_000) {
                for (Future<Boolean> f : batch) {
                    assertThat(await(f)).isTrue();
                }
                batch.clear();
            }
        }
        for (Future<Boolean> f : batch) {
            assertThat(await(f)).isTrue();
        }
        assertThat(keys()).containsExactlyInAnyOrder(BASE + ":ready:0", BASE + ":seq");
        long bytes = memoryUsage(BASE + ":ready:0");
        double perCallback = (double) bytes / n;
        System.out.printf("ready zset: %d bytes for %d callbacks = %.1f bytes each%n", bytes, n, perCallback);
        assertThat(perCallback).isLessThanOrEqualTo(250.0);
        assertThat(await(queue.pendingCount())).isEqualTo(n);
    }

    /** MEMORY USAGE key SAMPLES 0: exact, every element counted. */
    private static long memoryUsage(String key) {
        return redis.dispatch(CommandType.MEMORY, new IntegerOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("USAGE").addKey(key).add("SAMPLES").add(0));
    }

    @Test
    void badArgumentsFailTheFutureInsteadOfThrowing() {
        Future<Boolean> f = queue.enqueue(CallbackIds.next(), 10, Instant.now());
        assertThat(f.failed()).isTrue();
        assertThat(f.cause()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scriptsAreLoadedAgainAfterRedisForgetsThem() throws Exception {
        redis.scriptFlush();
        String id = CallbackIds.next();
        assertThat(await(queue.enqueue(id, 0, Instant.now()))).isTrue();
        assertThat(ids(await(queue.claim(1, TTL, "w", Instant.now())))).containsExactly(id);
    }

    @Test
    void futuresCompleteOnTheCallersContext() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Context ctx = vertx.getOrCreateContext();
            CompletableFuture<Context> seen = new CompletableFuture<>();
            ctx.runOnContext(v -> queue.enqueue(CallbackIds.next(), 0, Instant.now())
                    .onComplete(ar -> seen.complete(Vertx.currentContext())));
            assertThat(seen.get(10, TimeUnit.SECONDS)).isSameAs(ctx);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void connectingToAClosedPortFailsFastWithAClearMessage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uri = "redis://127.0.0.1:" + port;
        long start = System.nanoTime();
        assertThatThrownBy(() -> CallbackQueue.connect(uri, "x"))
                .isInstanceOf(QueueUnavailableException.class)
                .hasMessage("Redis unreachable at " + uri + ": Connection refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
