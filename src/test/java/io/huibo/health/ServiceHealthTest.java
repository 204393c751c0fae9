package io.huibo.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.pbx.NodeStatus;
import io.vertx.core.Future;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 9, defect 13: the health answer is cached, and a failed MariaDB ping still shows unhealthy. */
class ServiceHealthTest {

    static final List<NodeStatus> ONE_NODE =
            List.of(new NodeStatus("n1", NodeStatus.State.CONNECTED, null, 0, 10, null));

    final AtomicInteger dbPings = new AtomicInteger();
    final AtomicBoolean dbDown = new AtomicBoolean();
    final AtomicLong nanos = new AtomicLong();

    Future<Boolean> dbPing() {
        dbPings.incrementAndGet();
        return dbDown.get() ? Future.failedFuture(new SQLTransientConnectionException("pool timeout"))
                : Future.succeededFuture(true);
    }

    @Test
    void aFailedPingShowsUnhealthyOnceTheCachedAnswerExpires() {
        HealthCheck health = new CachedHealth(
                new ServiceHealth(() -> Future.succeededFuture(true), this::dbPing, () -> ONE_NODE),
                Duration.ofSeconds(1), nanos::get);
        assertThat(health.check().result().healthy()).isTrue();

        dbDown.set(true);
        for (int i = 0; i < 100; i++) {
            health.check();
        }
        assertThat(dbPings).as("at most one ping per second").hasValue(1);

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        HealthCheck.Report r = health.check().result();
        assertThat(dbPings).hasValue(2);
        assertThat(r.healthy()).isFalse();
        assertThat(r.body().getString("status")).isEqualTo("down");
        assertThat(r.body().getJsonObject("mariadb").getString("status")).isEqualTo("down");
        assertThat(r.body().getJsonObject("redis").getString("status")).isEqualTo("up");
    }

    @Test
    void aProbeThatThrowsIsDownNotAFailedCheck() {
        ServiceHealth health = new ServiceHealth(() -> {
            throw new IllegalStateException("store is closed");
        }, () -> Future.succeededFuture(true), () -> ONE_NODE);

        HealthCheck.Report r = health.check().result();

        assertThat(r.healthy()).isFalse();
        assertThat(r.body().getJsonObject("redis").getString("status")).isEqualTo("down");
    }
}
