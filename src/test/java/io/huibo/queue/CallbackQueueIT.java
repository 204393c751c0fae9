package io.huibo.queue;

import io.huibo.cluster.NodeLeases;
import io.huibo.domain.CallbackIds;
import io.huibo.redis.ItRedis;
import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
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
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Against the real Redis at 127.0.0.1:6379 ({@code -Dhuibo.it.redis}), under a key prefix of its own;
 * {@link CallbackQueueOnClusterIT} runs the same tests on a Redis Cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallbackQueueIT {

    static final String PREFIX = "huibo_it_" + UUID.randomUUID().toString().substring(0, 8);
    static final String BASE = "{" + PREFIX + "}";
    static final Duration TTL = Duration.ofSeconds(30);

    ItRedis target;
    RedisScripts scripts;
    CallbackQueue queue;
    NodeLeases leases;
    ItRedis.Inspector inspector;
    RedisClusterCommands<String, String> redis;

    /** The Redis the tests run on. */
    protected ItRedis redisUnderTest() throws Exception {
        return ItRedis.SHARED;
    }

    /** After the last test: stops what {@link #redisUnderTest} started. */
    protected void releaseRedis() throws Exception {
    }

    @BeforeAll
    void connect() throws Exception {
        target = redisUnderTest();
        scripts = target.connect(PREFIX);
        queue = new CallbackQueue(scripts);
        leases = new NodeLeases(scripts);
        inspector = target.inspect();
        redis = inspector.commands();
    }

    @AfterAll
    void cleanUp() throws Exception {
        try {
            clearKeys();
            scripts.close();
            inspector.close();
        } finally {
            releaseRedis();
        }
    }

    @BeforeEach
    void fresh() {
        clearKeys();
    }

    void clearKeys() {
        List<String> keys = keys();
        if (!keys.isEmpty()) {
            redis.del(keys.toArray(String[]::new));
        }
    }

    List<String> keys() {
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

        Thread.sleep(5);
        List<Claim> claims = await(queue.claim(10, TTL, "w1"));
        assertThat(ids(claims)).containsExactly(high, midFirst, midSecond, lowOlder, low);
        assertThat(claims).extracting(Claim::priority).containsExactly(9, 5, 5, 0, 0);
        assertThat(claims).noneMatch(Claim::hasInflight);
        assertThat(claims).noneMatch(Claim::orphaned);
        assertThat(claims.stream().map(Claim::fence).distinct().count()).isEqualTo(5);
        assertThat(redis.zcard(BASE + ":leases")).isEqualTo(5);
        assertThat(await(queue.enqueue(low, 0, t0))).as("already leased").isFalse();
        assertThat(await(queue.claim(10, TTL, "w1"))).as("not yet due").isEmpty();
    }

    @Test
    void aCallbackWithoutDueTimeIsDueAtRedisNow() throws Exception {
        String id = CallbackIds.next();
        assertThat(await(queue.enqueue(id, 3, null))).isTrue();
        assertThat(ids(await(queue.claim(1, TTL, "w")))).containsExactly(id);
    }

    @Test
    void fifoWithinOneMillisecondForManyCallbacks() throws Exception {
        Instant t0 = Instant.now().minusSeconds(1);
        List<String> enqueued = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = CallbackIds.next();
            enqueued.add(id);
            assertThat(await(queue.enqueue(id, 3, t0))).isTrue();
        }
        List<String> claimed = new ArrayList<>();
        claimed.addAll(ids(await(queue.claim(150, TTL, "w"))));
        claimed.addAll(ids(await(queue.claim(150, TTL, "w"))));
        assertThat(claimed).containsExactlyElementsOf(enqueued);
    }

    @Test
    void claimTakesAtMostMax() throws Exception {
        Instant past = Instant.now().minusSeconds(1);
        for (int i = 0; i < 10; i++) {
            await(queue.enqueue(CallbackIds.next(), i % 10, past));
        }
        assertThat(await(queue.claim(3, TTL, "w"))).hasSize(3);
        assertThat(await(queue.claim(3, TTL, "w"))).hasSize(3);
        assertThat(await(queue.claim(3, TTL, "w"))).hasSize(3);
        assertThat(await(queue.claim(3, TTL, "w"))).hasSize(1);
        assertThat(await(queue.claim(3, TTL, "w"))).isEmpty();
        assertThat(await(queue.claim(0, TTL, "w"))).isEmpty();
        assertThat(await(queue.pendingCount())).isZero();
    }

    @Test
    void anExpiredLeaseWithAnAttemptOnANodeIsParkedForItsOwnerAndTheStaleOwnerIsFenced() throws Exception {
        String id = CallbackIds.next();
        await(queue.enqueue(id, 7, null));
        Claim first = await(queue.claim(1, Duration.ofMillis(300), "w1")).get(0);
        long token = await(leases.acquire("sim1", "w1", TTL));
        Instant started = Instant.ofEpochMilli(Instant.now().toEpochMilli());
        assertThat(await(queue.markDialing(id, "w1", first.fence(), 1, "sim1", "hb-" + id + "-1", started, token)))
                .isEqualTo(MarkResult.MARKED);
        assertThat(await(queue.markDialing(id, "w2", first.fence(), 1, "sim1", "hb-" + id + "-1", started, token)))
                .as("not the owner").isEqualTo(MarkResult.LEASE_LOST);

        assertThat(await(queue.reap())).as("lease still valid").isZero();
        Thread.sleep(400);
        assertThat(await(queue.reap())).isEqualTo(1);
        assertThat(redis.zcard(BASE + ":leases")).isZero();
        assertThat(redis.hget(BASE + ":owner", id)).as("owner cleared").isNull();
        assertThat(redis.zscore(BASE + ":parked", id)).as("waits for sim1's owner").isNotNull();
        assertThat(await(queue.claim(5, TTL, "w2"))).as("not in ready").isEmpty();
        assertThat(await(queue.ack(id, "w1", first.fence()))).as("reaped: w1 no longer owns it").isFalse();
        assertThat(await(queue.claimParked(List.of("sim1"), 5, TTL, "w2"))).as("w2 does not own sim1").isEmpty();

        Claim second = await(queue.claimParked(List.of("sim1"), 5, TTL, "w1")).get(0);
        assertThat(second.id()).isEqualTo(id);
        assertThat(second.priority()).isEqualTo(7);
        assertThat(second.fence()).isGreaterThan(first.fence());
        assertThat(second.inflightAttempt()).isEqualTo(1);
        assertThat(second.inflightNode()).isEqualTo("sim1");
        assertThat(second.inflightChannelId()).isEqualTo("hb-" + id + "-1");
        assertThat(second.inflightStartedAt()).isEqualTo(started);

        // the first claim's steps come back late: everything it tries is refused, though the owner is the same
        assertThat(await(queue.ack(id, "w1", first.fence()))).isFalse();
        assertThat(await(queue.retry(id, "w1", first.fence(), 7, Duration.ZERO))).isFalse();
        assertThat(await(queue.park(id, "w1", first.fence()))).isFalse();
        assertThat(await(queue.markDialing(id, "w1", first.fence(), 2, "sim1", "x", started, token)))
                .isEqualTo(MarkResult.LEASE_LOST);
        assertThat(await(queue.renew(Map.of(id, first.fence()), "w1", TTL))).containsExactly(id);
        assertThat(await(queue.renew(Map.of(id, second.fence()), "w1", TTL))).isEmpty();

        assertThat(await(queue.ack(id, "w1", second.fence()))).isTrue();
        assertThat(await(queue.ack(id, "w1", second.fence()))).as("already gone").isFalse();
        assertThat(keys()).doesNotContain(BASE + ":owner", BASE + ":fence", BASE + ":inflight", BASE + ":prio",
                BASE + ":leases", BASE + ":parked");
        assertThat(await(queue.pendingCount())).isZero();
    }

    @Test
    void markingNeedsTheNodesLeaseWithItsTokenAndNoDrain() throws Exception {
        String id = CallbackIds.next();
        await(queue.enqueue(id, 0, null));
        Claim c = await(queue.claim(1, TTL, "w1")).get(0);
        Instant now = Instant.now();
        assertThat(await(queue.markDialing(id, "w1", c.fence(), 1, "sim1", "ch", now, 1)))
                .as("nobody holds sim1").isEqualTo(MarkResult.NODE_REFUSED);
        long token = await(leases.acquire("sim1", "w1", TTL));
        assertThat(await(queue.markDialing(id, "w1", c.fence(), 1, "sim1", "ch", now, token + 1)))
                .as("another token").isEqualTo(MarkResult.NODE_REFUSED);
        await(leases.setDraining("sim1", true));
        assertThat(await(queue.markDialing(id, "w1", c.fence(), 1, "sim1", "ch", now, token)))
                .as("draining").isEqualTo(MarkResult.NODE_REFUSED);
        await(leases.setDraining("sim1", false));
        assertThat(await(queue.markDialing(id, "w1", c.fence(), 1, "sim1", "ch", now, token)))
                .isEqualTo(MarkResult.MARKED);
    }

    @Test
    void aReclaimTakesANewFenceAndRefusesTheOldOneEvenForTheSameOwner() throws Exception {
        String id = CallbackIds.next();
        await(queue.enqueue(id, 2, null));
        Claim first = await(queue.claim(1, Duration.ofMillis(100), "w1")).get(0);
        Thread.sleep(200);
        assertThat(await(queue.reap())).isEqualTo(1);
        assertThat(redis.hlen(BASE + ":prio")).as("no attempt: nothing left but the ready entry").isZero();
        Claim again = await(queue.claim(1, TTL, "w1")).get(0);
        assertThat(again.fence()).isGreaterThan(first.fence());
        assertThat(again.hasInflight()).isFalse();
        assertThat(await(queue.retry(id, "w1", first.fence(), 2, Duration.ZERO))).isFalse();
        assertThat(await(queue.retry(id, "w1", again.fence(), 2, Duration.ZERO))).isTrue();
    }

    @Test
    void leasesAndDueTimesRunOnRedisTimeNotOnTheCallersClock() throws Exception {
        // nothing the caller passes is a clock reading: a lease of 30 s cannot be reaped early by a
        // caller whose clock runs ahead, and a retry delay counts from Redis' now
        String id = CallbackIds.next();
        await(queue.enqueue(id, 1, null));
        Claim c = await(queue.claim(1, TTL, "w1")).get(0);
        assertThat(await(queue.reap())).isZero();
        double expiry = redis.zscore(BASE + ":leases", id);
        long redisNow = redisMillis();
        assertThat(expiry - redisNow).isBetween(TTL.toMillis() - 1000.0, TTL.toMillis() + 0.0);
        assertThat(await(queue.retry(id, "w1", c.fence(), 1, Duration.ofMillis(300)))).isTrue();
        assertThat(await(queue.claim(1, TTL, "w1"))).as("not due yet").isEmpty();
        Thread.sleep(400);
        assertThat(ids(await(queue.claim(1, TTL, "w1")))).containsExactly(id);
    }

    private long redisMillis() {
        List<String> t = redis.time();
        return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
    }

    @Test
    void concurrentClaimersNeverShareACallback() throws Exception {
        Instant past = Instant.now().minusSeconds(1);
        int claimers = 4;
        int perClaimer = 2000;
        List<Future<Boolean>> enqueued = new ArrayList<>();
        for (int i = 0; i < claimers * perClaimer; i++) {
            enqueued.add(queue.enqueue(CallbackIds.next(), i % 10, past));
        }
        for (Future<Boolean> f : enqueued) {
            assertThat(await(f)).isTrue();
        }
        // each claimer on its own connection, so their scripts really interleave in Redis
        List<RedisScripts> conns = new ArrayList<>();
        for (int i = 0; i < claimers; i++) {
            conns.add(target.connect(PREFIX));
        }
        ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
        try {
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                CallbackQueue q = new CallbackQueue(conns.get(i));
                String owner = "w" + i;
                runs.add(CompletableFuture.runAsync(() -> {
                    try {
                        while (true) {
                            List<Claim> batch = await(q.claim(37, TTL, owner));
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
            conns.forEach(RedisScripts::close);
        }
        Set<String> distinct = new HashSet<>(claimed);
        assertThat(claimed).hasSize(claimers * perClaimer);
        assertThat(distinct).hasSize(claimers * perClaimer);
        assertThat(redis.zcard(BASE + ":leases")).isEqualTo(claimers * perClaimer);
        assertThat(await(queue.pendingCount())).isZero();
    }

    @Test
    void cancelRemovesOnlyWaitingCallbacks() throws Exception {
        String queued = CallbackIds.next();
        String leased = CallbackIds.next();
        String inFlight = CallbackIds.next();
        await(queue.enqueue(queued, 1, Instant.now().plusSeconds(5)));
        await(queue.enqueue(leased, 9, null));
        await(queue.enqueue(inFlight, 8, null));
        List<Claim> claims = await(queue.claim(2, Duration.ofMillis(300), "w"));
        assertThat(ids(claims)).containsExactly(leased, inFlight);
        long token = await(leases.acquire("sim1", "w", TTL));
        await(queue.markDialing(inFlight, "w", claims.get(1).fence(), 1, "sim1", "hb-" + inFlight + "-1",
                Instant.now(), token));
        assertThat(await(queue.renew(Map.of(leased, claims.get(0).fence()), "w", TTL))).isEmpty();
        Thread.sleep(400);
        assertThat(await(queue.reap())).isEqualTo(1);

        assertThat(await(queue.cancel(queued))).isEqualTo(CancelResult.CANCELLED);
        assertThat(await(queue.cancel(queued))).isEqualTo(CancelResult.NOT_FOUND);
        assertThat(await(queue.cancel(leased))).isEqualTo(CancelResult.BUSY);
        assertThat(await(queue.cancel(inFlight))).as("parked: its call may still be live").isEqualTo(CancelResult.BUSY);
        assertThat(await(queue.cancel(CallbackIds.next()))).isEqualTo(CancelResult.NOT_FOUND);
    }

    @Test
    void retryPutsItBackForLaterWithoutInflightInfo() throws Exception {
        String id = CallbackIds.next();
        await(queue.enqueue(id, 4, null));
        Claim c = await(queue.claim(1, TTL, "w1")).get(0);
        long token = await(leases.acquire("sim1", "w1", TTL));
        await(queue.markDialing(id, "w1", c.fence(), 1, "sim1", "hb-" + id + "-1", Instant.now(), token));
        assertThat(await(queue.retry(id, "w2", c.fence(), 6, Duration.ZERO))).as("not the owner").isFalse();
        assertThat(await(queue.retry(id, "w1", c.fence(), 6, Duration.ofMillis(300)))).isTrue();
        assertThat(redis.hexists(BASE + ":inflight", id)).as("only the zset entry remains").isFalse();
        assertThat(redis.zscore(BASE + ":leases", id)).isNull();
        assertThat(redis.zscore(BASE + ":ready:6", id)).isNotNull();
        assertThat(await(queue.claim(1, TTL, "w1"))).as("not due yet").isEmpty();
        Thread.sleep(400);
        Claim again = await(queue.claim(1, TTL, "w1")).get(0);
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.priority()).isEqualTo(6);
        assertThat(again.hasInflight()).isFalse();
    }

    @Test
    void renewKeepsTheLeasesOfItsOwnerAndReportsTheLostOnes() throws Exception {
        String a = CallbackIds.next();
        String b = CallbackIds.next();
        String unknown = CallbackIds.next();
        await(queue.enqueue(a, 0, null));
        await(queue.enqueue(b, 0, null));
        Claim ca = await(queue.claim(1, Duration.ofMillis(500), "w1")).get(0);
        Claim cb = await(queue.claim(1, Duration.ofMillis(500), "w2")).get(0);
        Map<String, Long> mine = new LinkedHashMap<>();
        mine.put(a, ca.fence());
        mine.put(b, cb.fence());
        mine.put(unknown, 1L);
        assertThat(await(queue.renew(mine, "w1", Duration.ofSeconds(10)))).containsExactly(b, unknown);
        assertThat(await(queue.renew(Map.of(), "w1", TTL))).isEmpty();
        Thread.sleep(600);
        assertThat(await(queue.reap())).as("only w2's lease expired").isEqualTo(1);
        assertThat(redis.zscore(BASE + ":leases", a)).isNotNull();
        assertThat(redis.zscore(BASE + ":leases", b)).isNull();
        assertThat(await(queue.ack(a, "w1", ca.fence()))).isTrue();
    }

    @Test
    void restoreReindexesWithInflightInfo() throws Exception {
        String dialing = CallbackIds.next();
        String queued = CallbackIds.next();
        Instant started = Instant.ofEpochMilli(1_700_000_000_000L);
        assertThat(await(queue.restore(dialing, 4, 2, "sim2", "hb-" + dialing + "-2", started))).isTrue();
        assertThat(await(queue.restore(dialing, 4, 2, "sim2", "hb-" + dialing + "-2", started))).isFalse();
        assertThat(await(queue.enqueue(dialing, 4, null))).isFalse();
        assertThat(await(queue.restore(queued, 1, 0, null, null, null))).isTrue();
        assertThat(redis.hexists(BASE + ":inflight", queued)).isFalse();

        List<Claim> claims = await(queue.claim(5, TTL, "w"));
        assertThat(claims).hasSize(2);
        Claim c = claims.get(0);
        assertThat(c.id()).isEqualTo(dialing);
        assertThat(c.inflightAttempt()).isEqualTo(2);
        assertThat(c.inflightNode()).isEqualTo("sim2");
        assertThat(c.inflightChannelId()).isEqualTo("hb-" + dialing + "-2");
        assertThat(c.inflightStartedAt()).isEqualTo(started);
        assertThat(claims.get(1).id()).isEqualTo(queued);
        assertThat(claims.get(1).hasInflight()).isFalse();
    }

    @Test
    void aCallbackParkedForANodeNobodyHoldsIsReleasedOrphanedAfterTheBound() throws Exception {
        String orphan = CallbackIds.next();
        String waiting = CallbackIds.next();
        await(queue.enqueue(orphan, 5, null));
        await(queue.enqueue(waiting, 5, null));
        List<Claim> claims = await(queue.claim(2, TTL, "w1"));
        long gone = await(leases.acquire("gone", "w1", Duration.ofMillis(300)));
        long held = await(leases.acquire("held", "w9", TTL));
        Instant now = Instant.now();
        await(queue.markDialing(orphan, "w1", claims.get(0).fence(), 1, "gone", "c1", now, gone));
        // the other one runs on a node another instance holds (w1 claimed it after a takeover)
        redis.hset(BASE + ":inflight", waiting, "1|held|c2|" + now.toEpochMilli());
        assertThat(await(queue.park(orphan, "w1", claims.get(0).fence()))).isTrue();
        assertThat(await(queue.park(waiting, "w1", claims.get(1).fence()))).isTrue();

        assertThat(await(queue.releaseOrphans(Duration.ofSeconds(10)))).as("not waited long enough").isZero();
        Thread.sleep(400);
        assertThat(await(queue.releaseOrphans(Duration.ofMillis(200)))).as("only the node without owner").isEqualTo(1);
        Claim released = await(queue.claim(5, TTL, "w2")).get(0);
        assertThat(released.id()).isEqualTo(orphan);
        assertThat(released.orphaned()).isTrue();
        assertThat(released.inflightNode()).isEqualTo("gone");
        assertThat(redis.zscore(BASE + ":parked", waiting)).isNotNull();
        assertThat(await(queue.ack(orphan, "w2", released.fence()))).isTrue();
        assertThat(redis.sismember(BASE + ":orphaned", orphan)).isFalse();
    }

    @Test
    void theEpochStaysUntilRedisLosesItsData() throws Exception {
        String first = await(queue.epoch());
        assertThat(await(queue.epoch())).isEqualTo(first);
        redis.del(BASE + ":epoch");
        assertThat(await(queue.epoch())).isNotEqualTo(first);
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
    private long memoryUsage(String key) {
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
        assertThat(await(queue.enqueue(id, 0, null))).isTrue();
        assertThat(ids(await(queue.claim(1, TTL, "w")))).containsExactly(id);
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
        assertThatThrownBy(() -> RedisScripts.connect(uri, "x"))
                .isInstanceOf(QueueUnavailableException.class)
                .hasMessage("Redis unreachable at " + uri + ": Connection refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
