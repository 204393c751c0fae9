package io.huibo.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.domain.CallbackIds;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.Claim;
import io.huibo.queue.QueueUnavailableException;
import io.vertx.core.Future;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * RedisScripts on a Redis Cluster of three primaries of the test's own: the commands without a key go to
 * the primary of the prefix's slot, and a resharding that moves the slot is followed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisClusterIT {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Pattern PINGS = Pattern.compile("cmdstat_ping:calls=(\\d+)");

    private OwnRedisCluster cluster;

    @BeforeAll
    void up() throws Exception {
        cluster = OwnRedisCluster.start(3);
    }

    @AfterAll
    void down() throws Exception {
        cluster.close();
    }

    private static String prefix() {
        return "rc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void scriptsAndPingsGoToThePrimaryOfThePrefixsSlot() throws Exception {
        String prefix = prefix();
        int home = cluster.owner(OwnRedisCluster.slotOf(prefix));
        // the script caches are the nodes', not the prefix's: other tests filled them
        cluster.ports().forEach(p -> cluster.onNode(p, r -> r.scriptFlush()));
        try (RedisScripts redis = cluster.redis().connect(prefix)) {
            RedisScripts.Script enqueue = redis.script(CallbackQueue.class, "enqueue");
            for (int port : cluster.ports()) {
                assertThat(cluster.onNode(port, r -> r.scriptExists(enqueue.sha())).get(0))
                        .as("script loaded on node " + port).isEqualTo(port == home);
            }
            List<Long> before = pings();
            assertThat(await(redis.ping())).isTrue();
            List<Long> after = pings();
            for (int i = 0; i < cluster.ports().size(); i++) {
                int port = cluster.ports().get(i);
                assertThat(after.get(i) - before.get(i)).as("pings on node " + port).isEqualTo(port == home ? 1 : 0);
            }
        }
    }

    @Test
    void aReshardingThatMovesTheSlotIsFollowed() throws Exception {
        String prefix = prefix();
        int slot = OwnRedisCluster.slotOf(prefix);
        int from = cluster.owner(slot);
        int to = cluster.ports().stream().filter(p -> p != from).findFirst().orElseThrow();
        try (RedisScripts redis = cluster.redis().connect(prefix)) {
            CallbackQueue queue = new CallbackQueue(redis);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(CallbackIds.next());
                assertThat(await(queue.enqueue(ids.get(i), 5, null))).isTrue();
            }

            cluster.moveSlot(slot, to);

            // the old primary answers MOVED, the new one NOSCRIPT: the client follows both
            ids.add(CallbackIds.next());
            assertThat(await(queue.enqueue(ids.get(3), 5, null))).isTrue();
            List<Claim> claims = await(queue.claim(10, TTL, "w"));
            assertThat(claims.stream().map(Claim::id).toList()).containsExactlyElementsOf(ids);
            long atNew = cluster.onNode(to, r -> r.dbsize());
            long atOld = cluster.onNode(from, r -> r.dbsize());
            assertThat(atNew).as("the keys moved with the slot").isPositive();
            assertThat(atOld).isZero();
            assertThat(await(redis.ping())).isTrue();
        }
    }

    @Test
    void aServerThatIsNoClusterFailsInOneLine() {
        assertThatThrownBy(() -> RedisScripts.connect(ItRedis.SHARED.uri(), true, prefix(), ""))
                .isInstanceOf(QueueUnavailableException.class)
                .hasMessage("Redis unreachable at " + ItRedis.SHARED.uri() + ": ERR This instance has cluster support disabled");
    }

    @Test
    void noReachableSeedFailsFast() throws Exception {
        List<Integer> closed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                closed.add(s.getLocalPort());
            }
        }
        String uri = "redis://127.0.0.1:" + closed.get(0) + ",127.0.0.1:" + closed.get(1);
        long start = System.nanoTime();
        assertThatThrownBy(() -> RedisScripts.connect(uri, true, prefix(), ""))
                .isInstanceOf(QueueUnavailableException.class)
                .hasMessage("Redis unreachable at " + uri + ": Connection refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    private List<Long> pings() {
        List<Long> out = new ArrayList<>();
        for (int port : cluster.ports()) {
            Matcher m = PINGS.matcher(cluster.onNode(port, r -> r.info("commandstats")));
            out.add(m.find() ? Long.parseLong(m.group(1)) : 0L);
        }
        return out;
    }
}
