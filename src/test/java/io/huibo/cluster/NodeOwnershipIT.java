package io.huibo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.TcpProxy;
import io.huibo.pbx.FakePbxNode;
import io.huibo.pbx.PbxCluster;
import io.huibo.pbx.PbxNode;
import io.huibo.redis.ItRedis;
import io.huibo.redis.RedisScripts;
import io.lettuce.core.RedisURI;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 7: node ownership in one process, on the real Redis, with a fake node and a
 * monotonic clock the test moves. Redis stops answering one owner (a TCP proxy that stalls): that owner
 * must stop originating on the node once its lease could have run out, without waiting for the stalled
 * tick to come back, and before any other instance could take the node. {@link NodeOwnershipOnClusterIT}
 * runs it on a Redis Cluster.
 */
class NodeOwnershipIT {
    private static final Duration TTL = Duration.ofSeconds(3);

    private final String prefix = "nown" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private Vertx vertx;
    private TcpProxy proxy;
    private RedisScripts stalled;
    private RedisScripts direct;

    /** The Redis both owners share. */
    protected ItRedis redisUnderTest() {
        return ItRedis.SHARED;
    }

    /** The server that holds the prefix's keys: the stalled owner reaches it (and only it) through a proxy. */
    protected RedisURI home(String prefix) {
        return RedisURI.create(redisUnderTest().uri());
    }

    @BeforeEach
    void up() {
        vertx = Vertx.vertx();
        RedisURI home = home(prefix);
        proxy = new TcpProxy(home.getHost(), home.getPort());
        stalled = RedisScripts.connect("redis://127.0.0.1:" + proxy.port(), prefix);
        direct = redisUnderTest().connect(prefix);
    }

    @AfterEach
    void down() throws Exception {
        proxy.close();
        stalled.close();
        direct.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStalledTickStopsOriginatingBeforeTheLeaseCouldBeTaken() throws Exception {
        FakePbxNode node = new FakePbxNode(vertx, "n1", 5);
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        Set<String> lost = ConcurrentHashMap.newKeySet();
        NodeOwnership a = new NodeOwnership(new NodeLeases(stalled), new PbxCluster(List.<PbxNode>of(node)),
                c -> node, "a", "127.0.0.1:4573", TTL, nanos::get, vertx, null);
        Context ctx = vertx.getOrCreateContext();
        ctx.runOnContext(v -> a.bind(ctx, new NodeOwnership.Listener() {
            @Override
            public int busy(String n) {
                return 0;
            }

            @Override
            public void lost(String n) {
                lost.add(n);
            }
        }));
        on(ctx, a::tick);
        assertThat(on(ctx, () -> Future.succeededFuture(a.owns("n1")))).as("took the free node").isTrue();
        assertThat(on(ctx, () -> Future.succeededFuture(a.leaseValid("n1")))).isTrue();

        proxy.stall();
        // the next tick is sent and never answered; a little later the lease still holds
        ctx.runOnContext(v -> a.tick());
        nanos.addAndGet(TTL.toNanos() / 2);
        assertThat(on(ctx, () -> Future.succeededFuture(a.leaseValid("n1")))).isTrue();

        // 2/3 of the TTL after the last renewal that held was sent: no more Originates, the node stops,
        // though the stalled tick has not come back
        nanos.addAndGet(TTL.toNanos() / 6 + 1);
        assertThat(on(ctx, () -> Future.succeededFuture(a.leaseValid("n1")))).isFalse();
        on(ctx, a::tick);
        assertThat(lost).containsExactly("n1");
        assertThat(on(ctx, () -> Future.succeededFuture(a.owns("n1")))).isFalse();

        // all of this happened while the lease still held in Redis: nobody else could have taken the node yet
        assertThat(on(ctx, () -> new NodeLeases(direct).acquire("n1", "b", TTL))).as("b's token").isZero();
    }

    private static <T> T on(Context ctx, Supplier<Future<T>> work) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        ctx.runOnContext(v -> work.get().onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result());
            } else {
                done.completeExceptionally(ar.cause());
            }
        }));
        return done.get(10, TimeUnit.SECONDS);
    }
}
