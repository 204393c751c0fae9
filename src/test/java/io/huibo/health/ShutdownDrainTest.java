package io.huibo.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 13: a stopping instance must answer "not ready" before its HTTP port closes. */
class ShutdownDrainTest {

    @Test
    void readyUntilBegunThenNotReadyWithoutAskingTheServices() {
        AtomicInteger asked = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000);
        ShutdownDrain drain = new ShutdownDrain(() -> {
            asked.incrementAndGet();
            return Future.succeededFuture(CachedHealthTest.UP);
        }, Duration.ofSeconds(5), now::get);

        assertThat(drain.check().result().healthy()).isTrue();
        assertThat(drain.remaining()).isEqualTo(Duration.ZERO);

        drain.begin();
        HealthCheck.Report r = drain.check().result();
        assertThat(r.healthy()).isFalse();
        assertThat(r.body().getBoolean("stopping")).isTrue();
        assertThat(asked.get()).isEqualTo(1);
    }

    @Test
    void remainingCountsFromTheFirstBegin() {
        AtomicLong now = new AtomicLong(0);
        ShutdownDrain drain = new ShutdownDrain(() -> Future.succeededFuture(CachedHealthTest.UP),
                Duration.ofSeconds(5), now::get);
        drain.begin();
        now.set(Duration.ofSeconds(2).toNanos());
        drain.begin();
        assertThat(drain.remaining()).isEqualTo(Duration.ofSeconds(3));
        now.set(Duration.ofSeconds(6).toNanos());
        assertThat(drain.remaining()).isEqualTo(Duration.ZERO);
    }

    @Test
    void theServiceStopWaitsOutTheDelayOnlyAfterBegin() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            ShutdownDrain notBegun = new ShutdownDrain(() -> Future.succeededFuture(CachedHealthTest.UP),
                    Duration.ofSeconds(30), System::nanoTime);
            String id = vertx.deployVerticle(notBegun.service()).await(5, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            vertx.undeploy(id).await(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));

            ShutdownDrain drain = new ShutdownDrain(() -> Future.succeededFuture(CachedHealthTest.UP),
                    Duration.ofMillis(600), System::nanoTime);
            id = vertx.deployVerticle(drain.service()).await(5, TimeUnit.SECONDS);
            drain.begin();
            t0 = System.nanoTime();
            vertx.undeploy(id).await(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        } finally {
            vertx.close().await(5, TimeUnit.SECONDS);
        }
    }
}
