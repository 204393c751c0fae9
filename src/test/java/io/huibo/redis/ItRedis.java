package io.huibo.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * The Redis an IT runs on: the shared server ({@code -Dhuibo.it.redis}, 127.0.0.1:6379 by default) or a
 * Redis Cluster of the test's own ({@link OwnRedisCluster}), so one test class runs on either.
 *
 * @param uri     as {@code redis.uri} takes it (a cluster's seeds: {@code redis://h1:p1,h2:p2})
 * @param cluster as {@code redis.cluster}
 */
public record ItRedis(String uri, boolean cluster) {

    public static final ItRedis SHARED = new ItRedis(System.getProperty("huibo.it.redis", "redis://127.0.0.1:6379"),
            false);

    public RedisScripts connect(String prefix) {
        return RedisScripts.connect(uri, cluster, prefix, "");
    }

    /** Plain commands for a test to look at (and break) what the scripts keep; routed by slot on a cluster. */
    public Inspector inspect() {
        if (cluster) {
            RedisClusterClient client = RedisClusterClient.create(RedisClusterURIUtil.toRedisURIs(URI.create(uri)));
            StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8);
            return new Inspector(client, c, c.sync());
        }
        RedisClient client = RedisClient.create(uri);
        StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
        return new Inspector(client, c, c.sync());
    }

    /** @param commands what a standalone and a cluster connection both offer */
    public record Inspector(AbstractRedisClient client, StatefulConnection<String, String> connection,
                            RedisClusterCommands<String, String> commands) implements AutoCloseable {
        @Override
        public void close() {
            connection.close();
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
