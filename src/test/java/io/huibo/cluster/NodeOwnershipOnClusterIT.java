package io.huibo.cluster;

import io.huibo.redis.ItRedis;
import io.huibo.redis.OwnRedisCluster;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * {@link NodeOwnershipIT} on a Redis Cluster of three primaries: the other instance uses the cluster
 * client; the stalled owner talks to the primary of the prefix's slot as one server through the proxy
 * (a cluster client would learn the nodes' own addresses from the topology and go around the proxy).
 */
@Tag("ha")
class NodeOwnershipOnClusterIT extends NodeOwnershipIT {
    private static OwnRedisCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = OwnRedisCluster.start(3);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected ItRedis redisUnderTest() {
        return cluster.redis();
    }

    @Override
    protected RedisURI home(String prefix) {
        return RedisURI.create("127.0.0.1", cluster.owner(OwnRedisCluster.slotOf(prefix)));
    }
}
