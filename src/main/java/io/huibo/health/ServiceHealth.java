package io.huibo.health;

import io.huibo.pbx.NodeStatus;
import io.huibo.pbx.PbxCluster;
import io.huibo.queue.CallbackQueue;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Healthy when Redis and MariaDB answer and at least one node is connected, by this instance or by
 * another one (STANDBY here): with no node, nothing can be dialed, but callbacks are still accepted
 * and kept.
 */
public final class ServiceHealth implements HealthCheck {
    private final Supplier<Future<Boolean>> redis;
    private final Supplier<Future<Boolean>> db;
    private final Supplier<List<NodeStatus>> nodes;

    /** The MariaDB ping runs on a thread of its own (see {@link #pingExecutor()}). */
    public ServiceHealth(CallbackQueue queue, CallbackStore store, PbxCluster cluster) {
        this(queue, store, cluster, pingExecutor());
    }

    public ServiceHealth(CallbackQueue queue, CallbackStore store, PbxCluster cluster, ExecutorService pingOn) {
        this(queue::ping, () -> store.ping(pingOn), cluster::statuses);
    }

    /** Probes answer true when up; false, a failed future or a throw counts as down. */
    ServiceHealth(Supplier<Future<Boolean>> redis, Supplier<Future<Boolean>> db, Supplier<List<NodeStatus>> nodes) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.db = Objects.requireNonNull(db, "db");
        this.nodes = Objects.requireNonNull(nodes, "nodes");
    }

    /**
     * One daemon thread and a short queue: the ping never runs on the store's executor, which claims
     * use, and a hung MariaDB holds one thread, not more (the HTTP layer shares one check among all
     * requests, so the queue only overflows when something else is wrong, and then the ping is down).
     */
    static ExecutorService pingExecutor() {
        ThreadPoolExecutor ex = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4), r -> {
            Thread t = new Thread(r, "huibo-health");
            t.setDaemon(true);
            return t;
        });
        ex.allowCoreThreadTimeOut(true);
        return ex;
    }

    @Override
    public Future<Report> check() {
        Future<Boolean> redisUp = probe(redis);
        Future<Boolean> dbUp = probe(db);
        return Future.join(redisUp, dbUp).transform(ar -> Future.succeededFuture(
                report(Boolean.TRUE.equals(redisUp.result()), Boolean.TRUE.equals(dbUp.result()))));
    }

    private static Future<Boolean> probe(Supplier<Future<Boolean>> p) {
        try {
            return p.get().otherwise(false);
        } catch (RuntimeException e) {
            return Future.succeededFuture(false);
        }
    }

    private Report report(boolean redisUp, boolean dbUp) {
        JsonArray list = new JsonArray();
        boolean anyNode = false;
        for (NodeStatus s : nodes.get()) {
            // a node another instance drives (STANDBY here) is as good as one of ours
            boolean up = s.state() == NodeStatus.State.CONNECTED || s.state() == NodeStatus.State.STANDBY;
            anyNode |= up;
            list.add(new JsonObject()
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
                .put("nodes", list);
        return new Report(healthy, body);
    }
}
