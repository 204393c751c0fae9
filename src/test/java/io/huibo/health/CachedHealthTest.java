package io.huibo.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 9, defect 13: unauthenticated {@code /health} requests must not each cost a MariaDB ping. */
class CachedHealthTest {

    static final HealthCheck.Report UP = new HealthCheck.Report(true, new JsonObject().put("status", "up"));
    static final HealthCheck.Report DOWN = new HealthCheck.Report(false, new JsonObject().put("status", "down"));

    /** Counts its checks; each stays pending until the test completes it. */
    static final class CountingCheck implements HealthCheck {
        final AtomicInteger checks = new AtomicInteger();
        final List<Promise<Report>> pending = new ArrayList<>();

        @Override
        public synchronized Future<Report> check() {
            checks.incrementAndGet();
            Promise<Report> p = Promise.promise();
            pending.add(p);
            return p.future();
        }

        synchronized void completeLast(Report r) {
            pending.get(pending.size() - 1).complete(r);
        }
    }

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final CountingCheck delegate = new CountingCheck();
    final CachedHealth health = new CachedHealth(delegate, Duration.ofSeconds(1), nanos::get);

    @Test
    void concurrentRequestsShareOneCheckAndItsResultForOneSecond() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<HealthCheck.Report>> answers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<Future<HealthCheck.Report>>> asked = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            asked.add(threads.submit(() -> {
                go.await();
                return health.check();
            }));
        }
        go.countDown();
        for (var a : asked) {
            answers.add(a.get(10, TimeUnit.SECONDS));
        }
        threads.shutdown();
        assertThat(delegate.checks).as("one check for all concurrent requests").hasValue(1);

        delegate.completeLast(UP);
        assertThat(answers).allSatisfy(f -> assertThat(f.result()).isEqualTo(UP));

        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(health.check().result()).isEqualTo(UP);
        assertThat(delegate.checks).as("cached for a second").hasValue(1);

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        Future<HealthCheck.Report> fresh = health.check();
        assertThat(delegate.checks).as("checked again after a second").hasValue(2);
        delegate.completeLast(DOWN);
        assertThat(fresh.result()).isEqualTo(DOWN);
    }

    @Test
    void aSlowCheckIsSharedEvenPastTheSecondSoChecksNeverPileUp() {
        Future<HealthCheck.Report> first = health.check();
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        Future<HealthCheck.Report> later = health.check();

        assertThat(delegate.checks).hasValue(1);
        delegate.completeLast(DOWN);
        assertThat(first.result()).isEqualTo(DOWN);
        assertThat(later.result()).isEqualTo(DOWN);
    }

    @Test
    void aFailedCheckIsCachedTooAndReportedAsAFailure() {
        HealthCheck throwing = () -> {
            delegate.checks.incrementAndGet();
            throw new IllegalStateException("store is closed");
        };
        CachedHealth cached = new CachedHealth(throwing, Duration.ofSeconds(1), nanos::get);

        assertThat(cached.check().failed()).isTrue();
        assertThat(cached.check().cause()).hasMessage("store is closed");
        assertThat(delegate.checks).as("a failing check is not retried per request").hasValue(1);
    }
}
