package io.huibo.service;

import io.huibo.api.HealthCheck;
import io.huibo.pbx.NodeStatus;
import io.huibo.pbx.PbxCluster;
import io.huibo.queue.CallbackQueue;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Healthy when Redis and MariaDB answer and at least one node is connected, by this instance or by
 * another one (STANDBY here): with no node, nothing can be dialed, but callbacks are still accepted
 * and kept.
 */
public final class ServiceHealth implements HealthCheck {
    private final CallbackQueue queue;
    private final CallbackStore store;
    private final PbxCluster cluster;

    public ServiceHealth(CallbackQueue queue, CallbackStore store, PbxCluster cluster) {
        this.queue = queue;
        this.store = store;
        this.cluster = cluster;
    }

    @Override
    public Future<Report> check() {
        Future<Boolean> redis = queue.ping().otherwise(false);
        Future<Boolean> db = store.ping().otherwise(false);
        return Future.join(redis, db).transform(ar -> {
            boolean redisUp = Boolean.TRUE.equals(redis.result());
            boolean dbUp = Boolean.TRUE.equals(db.result());
            JsonArray nodes = new JsonArray();
            boolean anyNode = false;
            for (NodeStatus s : cluster.statuses()) {
                // a node another instance drives (STANDBY here) is as good as one of ours
                boolean up = s.state() == NodeStatus.State.CONNECTED || s.state() == NodeStatus.State.STANDBY;
                anyNode |= up;
                nodes.add(new JsonObject()
                        .put("id", s.id())
                        .put("state", s.state().name().toLowerCase())
                        .put("active", s.active())
                        .put("maxCalls", s.maxCalls())
                        .put("lastError", s.lastError()));
            }
            boolean healthy = redisUp && dbUp && anyNode;
            JsonObject body = new JsonObject()
                    .put("status", healthy ? "up" : "down")
                    .put("redis", new JsonObject().put("status", redisUp ? "up" : "down"))
                    .put("mariadb", new JsonObject().put("status", dbUp ? "up" : "down"))
                    .put("nodes", nodes);
            return Future.succeededFuture(new Report(healthy, body));
        });
    }
}
