package io.huibo.bench;

import io.huibo.domain.CallbackIds;
import io.huibo.queue.CallbackQueue;
import io.huibo.redis.RedisScripts;
import io.huibo.queue.Claim;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Lua claim on the real Redis (127.0.0.1:6379, a key prefix of its own, removed at the end):
 * one claim of {@code batch} callbacks and their return to ready, as the dispatcher's claim and a
 * retry do. Includes the loopback round trips, which are most of it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClaimBench {
    @Param({"1", "100"})
    public int batch;

    private RedisScripts redis;
    private CallbackQueue queue;
    private final String prefix = "jmh" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String owner = "jmh-owner";
    private final Duration ttl = Duration.ofMinutes(5);

    @Setup
    public void setup() throws Exception {
        String uri = System.getenv().getOrDefault("HUIBO_REDIS_URI", "redis://127.0.0.1:6379");
        redis = RedisScripts.connect(uri, prefix);
        queue = new CallbackQueue(redis);
        Instant due = Instant.now().minusSeconds(10);
        for (int i = 0; i < 1000; i++) {
            get(queue.enqueue(CallbackIds.next(), 0, due));
        }
    }

    @Benchmark
    public int claimAndReturn() throws Exception {
        List<Claim> claims = get(queue.claim(batch, ttl, owner));
        io.vertx.core.Future<?> last = null;
        for (Claim c : claims) {
            last = queue.retry(c.id(), owner, c.fence(), 0, Duration.ZERO);
        }
        if (last != null) {
            get(last); // one connection, commands in order: the last reply means all are done
        }
        return claims.size();
    }

    @TearDown
    public void tearDown() {
        try (var client = io.lettuce.core.RedisClient.create(
                System.getenv().getOrDefault("HUIBO_REDIS_URI", "redis://127.0.0.1:6379")); var c = client.connect()) {
            for (String k : c.sync().keys("{" + prefix + "}*")) {
                c.sync().unlink(k);
            }
        }
        redis.close();
    }

    private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
