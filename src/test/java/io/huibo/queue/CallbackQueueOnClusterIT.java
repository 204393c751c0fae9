package io.huibo.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallbackIds;
import io.huibo.redis.ItRedis;
import io.huibo.redis.OwnRedisCluster;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link CallbackQueueIT}'s tests on a Redis Cluster of three primaries of the test's own. */
@Tag("ha")
class CallbackQueueOnClusterIT extends CallbackQueueIT {
    private OwnRedisCluster cluster;

    @Override
    protected ItRedis redisUnderTest() throws Exception {
        cluster = OwnRedisCluster.start(3);
        return cluster.redis();
    }

    @Override
    protected void releaseRedis() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyKeyOfTheQueueIsOnThePrimaryOfItsSlot() throws Exception {
        String id = CallbackIds.next();
        await(queue.enqueue(id, 3, Instant.now()));
        Claim c = await(queue.claim(1, TTL, "w1")).get(0);
        long token = await(leases.acquire("sim1", "w1", TTL));
        await(queue.markDialing(id, "w1", c.fence(), 1, "sim1", "hb-" + id + "-1", Instant.now(), token));
        await(queue.epoch());

        int home = cluster.owner(OwnRedisCluster.slotOf(PREFIX));
        List<String> keys = keys();
        assertThat(keys).hasSizeGreaterThan(3);
        for (int port : cluster.ports()) {
            long here = cluster.onNode(port, r -> r.dbsize());
            assertThat(here).as("keys on node " + port).isEqualTo(port == home ? keys.size() : 0);
        }
    }
}
