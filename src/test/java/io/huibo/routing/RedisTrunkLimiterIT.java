package io.huibo.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.redis.RedisScripts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two limiters on two Redis connections under one key prefix, as two Huibo instances would have them:
 * a trunk's limits hold for both together.
 */
class RedisTrunkLimiterIT {
    private static final String URI = System.getProperty("huibo.it.redis", "redis://127.0.0.1:6379");

    private final String prefix = "huibo_it_trunk_" + UUID.randomUUID().toString().substring(0, 8);
    private RedisScripts redisA;
    private RedisScripts redisB;
    private RedisTrunkLimiter a;
    private RedisTrunkLimiter b;

    @BeforeEach
    void connect() {
        redisA = RedisScripts.connect(URI, prefix);
        redisB = RedisScripts.connect(URI, prefix);
        a = new RedisTrunkLimiter(redisA, Duration.ofSeconds(2));
        b = new RedisTrunkLimiter(redisB, Duration.ofSeconds(2));
    }

    @AfterEach
    void cleanUp() {
        redisA.close();
        redisB.close();
        try (RedisClient c = RedisClient.create(URI); StatefulRedisConnection<String, String> conn = c.connect()) {
            List<String> keys = conn.sync().keys("{" + prefix + "}*");
            if (!keys.isEmpty()) {
                conn.sync().del(keys.toArray(String[]::new));
            }
        }
    }

    private static Trunk trunk(String id, int maxConcurrent, int maxCallsPerSecond) {
        return new Trunk(id, DialTemplate.parse("PJSIP/{number}@" + id), maxConcurrent, maxCallsPerSecond, true);
    }

    private static boolean get(Future<Boolean> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** Fires every acquire at once, alternating between the two instances; how many got a slot. */
    private int race(Trunk t, String tag, int n, Instant now) throws Exception {
        List<Future<Boolean>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add((i % 2 == 0 ? a : b).tryAcquire(t, tag + i, 1, now));
        }
        int got = 0;
        for (Future<Boolean> f : all) {
            if (get(f)) {
                got++;
            }
        }
        return got;
    }

    @Test
    void concurrencyLimitHoldsAcrossInstancesAndReleaseFreesASlot() throws Exception {
        Trunk t = trunk("carrier1", 3, 0);
        Instant now = Instant.now();
        assertThat(race(t, "cb", 20, now)).isEqualTo(3);
        assertThat(get(a.tryAcquire(t, "late-a", 1, now))).isFalse();
        assertThat(get(b.tryAcquire(t, "late-b", 1, now))).isFalse();

        try (RedisClient c = RedisClient.create(URI); StatefulRedisConnection<String, String> conn = c.connect()) {
            // members: <trunk>|<callback>:<attempt>:<seq>
            List<String> members = conn.sync().zrange("{" + prefix + "}:trunkslots", 0, -1);
            assertThat(members).hasSize(3).allMatch(m -> m.startsWith("carrier1|"));
            String holder = members.get(0).substring("carrier1|".length(), members.get(0).indexOf(':'));
            // the other instance gives back a slot the first one took (a release may arrive anywhere)
            b.release(holder, 1);
            awaitSlots(conn, "carrier1", 2);
            assertThat(get(a.tryAcquire(t, "late-a", 1, now))).isTrue();
            assertThat(get(b.tryAcquire(t, "late-b", 1, now))).isFalse();

            // releaseOne gives back the slot on the named trunk only; releasing twice is a no-op
            a.releaseOne("carrier1", "late-a", 1);
            a.releaseOne("carrier1", "late-a", 1);
            a.releaseOne("other-trunk", "late-b", 1);
            awaitSlots(conn, "carrier1", 2);
        }
        assertThat(get(b.tryAcquire(t, "late-b", 1, now))).isTrue();
        assertThat(get(a.tryAcquire(t, "late-c", 1, now))).isFalse();
    }

    @Test
    void oneAttemptHoldingSlotsOnTwoTrunksGivesThemAllBack() throws Exception {
        Trunk t1 = trunk("t1", 1, 0);
        Trunk t2 = trunk("t2", 1, 0);
        Instant now = Instant.now();
        assertThat(get(a.tryAcquire(t1, "cb", 2, now))).isTrue();
        assertThat(get(a.tryAcquire(t2, "cb", 2, now))).isTrue();
        assertThat(get(b.tryAcquire(t1, "other", 1, now))).isFalse();
        assertThat(get(b.tryAcquire(t2, "other", 1, now))).isFalse();
        b.release("cb", 2);
        assertThat(get(b.tryAcquire(t1, "other", 1, now))).isTrue();
        assertThat(get(b.tryAcquire(t2, "other", 1, now))).isTrue();
    }

    @Test
    void callsPerSecondLimitHoldsAcrossInstancesWithinOneSecond() throws Exception {
        // no concurrency limit: only the call starts of the last second count, released or not
        Trunk t = trunk("fast", 0, 5);
        Instant now = Instant.now();
        assertThat(race(t, "s", 12, now)).isEqualTo(5);
        for (int i = 0; i < 12; i++) {
            a.release("s" + i, 1);
        }
        assertThat(get(b.tryAcquire(t, "x", 1, now))).isFalse();
        // a second later (Redis time) the window has moved on
        Thread.sleep(1050);
        assertThat(race(t, "t", 12, now)).isEqualTo(5);
    }

    @Test
    void slotsOfADeadInstanceExpireAfterMaxHold() throws Exception {
        Trunk t = trunk("sticky", 3, 0);
        Instant t0 = Instant.now();
        // instance A takes every slot and dies: its releases never come
        for (int i = 0; i < 3; i++) {
            assertThat(get(a.tryAcquire(t, "dead" + i, 1, t0))).isTrue();
        }
        redisA.close();
        assertThat(get(b.tryAcquire(t, "alive", 1, t0))).isFalse();
        // after maxHold (2 s here, Redis time) the stale slots are dropped
        Thread.sleep(2200);
        assertThat(get(b.tryAcquire(t, "alive", 1, t0))).isTrue();
        assertThat(get(b.tryAcquire(t, "alive2", 1, t0))).isTrue();
        redisA = RedisScripts.connect(URI, prefix);
    }

    @Test
    void unlimitedTrunkNeedsNoRedisAndUnreachableRedisCountsAsFull() throws Exception {
        RedisScripts gone = RedisScripts.connect(URI, prefix);
        RedisTrunkLimiter cut = new RedisTrunkLimiter(gone);
        gone.close();
        assertThat(get(cut.tryAcquire(trunk("free", 0, 0), "cb", 1, Instant.now()))).isTrue();
        assertThat(get(cut.tryAcquire(trunk("limited", 3, 0), "cb", 1, Instant.now()))).isFalse();
    }

    private void awaitSlots(StatefulRedisConnection<String, String> conn, String trunk, long n) throws Exception {
        // releases are fire-and-forget: wait for the script to have run
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (held(conn, trunk) != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("trunk " + trunk + " did not get to " + n + " slots");
            }
            Thread.sleep(20);
        }
    }

    private long held(StatefulRedisConnection<String, String> conn, String trunk) {
        String n = conn.sync().hget("{" + prefix + "}:trunkcount", trunk);
        return n == null ? 0 : Long.parseLong(n);
    }
}
