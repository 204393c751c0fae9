package io.huibo.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallbackIds;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.Claim;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The primary that serves the prefix's slot dies (SIGKILL); its replica is promoted. The same
 * RedisScripts follows the new topology and the queue is whole on the new primary.
 */
@Tag("ha")
class RedisClusterFailoverIT {
    private static final Duration TTL = Duration.ofSeconds(30);

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aFailoverToTheReplicaIsFollowed() throws Exception {
        String prefix = "rf" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        int slot = OwnRedisCluster.slotOf(prefix);
        try (OwnRedisCluster cluster = OwnRedisCluster.start(3, 1);
             RedisScripts redis = cluster.redis().connect(prefix)) {
            CallbackQueue queue = new CallbackQueue(redis);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(CallbackIds.next());
                assertThat(await(queue.enqueue(ids.get(i), 5, null))).isTrue();
            }
            int home = cluster.owner(slot);
            // replication is asynchronous: the test loses nothing a crash would lose anyway
            long replicas = cluster.onNode(home, r -> r.waitForReplication(1, 5000));
            assertThat(replicas).isEqualTo(1);

            cluster.kill(home);
            long killed = System.nanoTime();
            int promoted = cluster.awaitNewOwner(slot, home);
            System.out.printf("slot %d: %d -> %d promoted after %d ms%n", slot, home, promoted,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));

            // commands sent to the dead primary meanwhile time out; then the topology refresh routes to
            // the promoted one, which has the data but not the scripts (NOSCRIPT, then EVAL)
            Awaitility.await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(await(queue.pendingCount())).isEqualTo(3));
            System.out.printf("queue answering again %d ms after the kill%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            ids.add(CallbackIds.next());
            assertThat(await(queue.enqueue(ids.get(3), 5, null))).isTrue();
            List<Claim> claims = await(queue.claim(10, TTL, "w"));
            assertThat(claims.stream().map(Claim::id).toList()).containsExactlyElementsOf(ids);
            assertThat(await(redis.ping())).isTrue();
        }
    }
}
