package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.redis.OwnRedisCluster;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end on a Redis Cluster of three primaries: Huibo started with {@code redis.cluster: true} and the
 * nodes as seeds dials callbacks through the simulator; its keys are all on the primary of its slot.
 */
@Tag("ha")
class HuiboOnRedisClusterIT {

    @Test
    void callbacksAreDialedWithTheQueueOnACluster() throws Exception {
        try (OwnRedisCluster cluster = OwnRedisCluster.start(3); Stack stack = new Stack()) {
            Stack.Proc sim = stack.sim(2, 10, null);
            Map<String, String> env = stack.huiboEnv(sim, 10);
            env.put("HUIBO_REDIS_URI", cluster.redis().uri());
            env.put("HUIBO_REDIS_CLUSTER", "true");
            Stack.Proc huibo = stack.huibo(env);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(stack.submit(huibo, new JsonObject().put("number", "+861380013800" + i)
                        .put("destination", "+861390013900" + i)));
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                for (String id : ids) {
                    assertThat(stack.callback(huibo, id).getString("state")).as(id).isEqualTo("completed");
                }
            });
            for (String id : ids) {
                JsonObject cb = stack.callback(huibo, id);
                assertThat(cb.getJsonArray("attempts").getJsonObject(0).getString("outcome")).isEqualTo("connected");
                assertThat(stack.simCallsOf(sim, id)).hasSize(1);
            }
            assertThat(stack.get(stack.api(huibo) + "/health", Stack.TOKEN).statusCode()).isEqualTo(200);

            int home = cluster.owner(OwnRedisCluster.slotOf(stack.redisPrefix));
            for (int port : cluster.ports()) {
                long keys = cluster.onNode(port, r -> r.dbsize());
                if (port == home) {
                    assertThat(keys).as("Huibo's keys on the primary of its slot").isPositive();
                } else {
                    assertThat(keys).as("keys on node " + port).isZero();
                }
            }
        }
    }
}
