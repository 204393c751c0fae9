package io.huibo.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class QueueHistoryTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    private static QueueHistory.Sample sample(int i) {
        return new QueueHistory.Sample(T0.plusSeconds(5L * i), i, i / 2, 1, 0, i / 10.0);
    }

    @Test
    void keepsTheLastWindowOfSamplesOldestFirst() {
        QueueHistory h = new QueueHistory(() -> Future.failedFuture("unused"), Duration.ofSeconds(5), Duration.ofSeconds(20));
        for (int i = 0; i < 7; i++) {
            h.add(sample(i));
        }
        // 20 s of 5 s samples: the 4 latest
        assertThat(h.samples()).containsExactly(sample(3), sample(4), sample(5), sample(6));
    }

    @Test
    void aPeriodLongerThanTheWindowIsRefused() {
        assertThatThrownBy(() -> new QueueHistory(Future::succeededFuture, Duration.ofMinutes(2), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QueueHistory(Future::succeededFuture, Duration.ZERO, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void samplesAtStartAndEachPeriodSkippingWhileAReadIsOutstandingAndFailures() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            AtomicInteger reads = new AtomicInteger();
            AtomicReference<Promise<QueueHistory.Sample>> stuck = new AtomicReference<>();
            QueueHistory h = new QueueHistory(() -> {
                int n = reads.incrementAndGet();
                if (n == 2) {
                    return Future.failedFuture("redis down");
                }
                if (n == 3) {
                    // a read that does not come back: later ticks must not pile reads up behind it
                    Promise<QueueHistory.Sample> p = Promise.promise();
                    stuck.set(p);
                    return p.future();
                }
                return Future.succeededFuture(sample(n));
            }, Duration.ofMillis(50), Duration.ofSeconds(10));
            vertx.deployVerticle(h).await(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stuck.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            // the first read at start, the failed second one left no sample, the third is still out
            assertThat(reads.get()).isEqualTo(3);
            assertThat(h.samples()).containsExactly(sample(1));
            stuck.get().complete(sample(3));
            while (reads.get() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(h.samples()).startsWith(sample(1), sample(3));
            assertThat(h.samples()).extracting(QueueHistory.Sample::waiting).isSorted();
        } finally {
            vertx.close().await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSampleIsTheScheduleTotals() {
        QueueAdmin.Stats stats = new QueueAdmin.Stats(List.of(1L, 2L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 4L),
                List.of(1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 3L), T0, 5, 2, T0.plusSeconds(1));
        assertThat(QueueHistory.Sample.of(stats, 1.5))
                .isEqualTo(new QueueHistory.Sample(T0.plusSeconds(1), 7, 4, 5, 2, 1.5));
    }
}
