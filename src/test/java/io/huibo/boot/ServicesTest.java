package io.huibo.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServicesTest {
    private final Vertx vertx = Vertx.vertx();
    /** What the verticles did, in order: "start a", "stop a", ... */
    private final List<String> steps = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** Starts and stops after a few ms (so an order that does not wait for the one before shows). */
    private final class Recording extends VerticleBase {
        private final String name;
        private final boolean failStart;
        private final boolean failStop;
        private final long stopMillis;

        Recording(String name, boolean failStart, boolean failStop, long stopMillis) {
            this.name = name;
            this.failStart = failStart;
            this.failStop = failStop;
            this.stopMillis = stopMillis;
        }

        @Override
        public Future<?> start() {
            Promise<Void> p = Promise.promise();
            vertx.setTimer(20, t -> {
                steps.add("start " + name);
                if (failStart) {
                    p.fail(new IllegalStateException(name + " cannot start"));
                } else {
                    p.complete();
                }
            });
            return p.future();
        }

        @Override
        public Future<?> stop() {
            Promise<Void> p = Promise.promise();
            vertx.setTimer(stopMillis, t -> {
                steps.add("stop " + name);
                if (failStop) {
                    p.fail(new IllegalStateException(name + " cannot stop"));
                } else {
                    p.complete();
                }
            });
            return p.future();
        }
    }

    private Services.Service ok(String name) {
        return service(name, false, false, 20);
    }

    private Services.Service service(String name, boolean failStart, boolean failStop, long stopMillis) {
        return new Services.Service(name, new Recording(name, failStart, failStop, stopMillis),
                Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void deploysInOrderAndUndeploysInReverse() throws Exception {
        Services services = new Services(vertx, List.of(ok("a"), ok("b"), ok("c")));

        await(services.deploy());
        assertThat(steps).containsExactly("start a", "start b", "start c");
        assertThat(services.running()).containsExactly("a", "b", "c");
        assertThat(vertx.deploymentIDs()).hasSize(3);

        await(services.undeploy());
        assertThat(steps).containsExactly("start a", "start b", "start c", "stop c", "stop b", "stop a");
        assertThat(services.running()).isEmpty();
        assertThat(vertx.deploymentIDs()).isEmpty();
    }

    @Test
    void aFailedStartUndeploysWhatWasDeployedAndFailsWithItsCause() throws Exception {
        Services services = new Services(vertx, List.of(ok("a"), ok("b"), service("c", true, false, 20), ok("d")));

        Throwable cause = services.deploy().toCompletionStage().toCompletableFuture()
                .handle((v, e) -> e).get(10, TimeUnit.SECONDS);

        assertThat(cause).isInstanceOf(IllegalStateException.class).hasMessage("c cannot start");
        assertThat(steps).containsExactly("start a", "start b", "start c", "stop b", "stop a");
        assertThat(services.running()).isEmpty();
        assertThat(vertx.deploymentIDs()).isEmpty();
    }

    @Test
    void aStartOverItsLimitFailsTheDeploy() throws Exception {
        VerticleBase never = new VerticleBase() {
            @Override
            public Future<?> start() {
                return Promise.promise().future();
            }
        };
        Services services = new Services(vertx, List.of(ok("a"),
                new Services.Service("stuck", never, Duration.ofMillis(200), Duration.ofSeconds(1))));

        Throwable cause = services.deploy().toCompletionStage().toCompletableFuture()
                .handle((v, e) -> e).get(10, TimeUnit.SECONDS);

        assertThat(cause).hasMessageContaining("stuck: start timed out");
        assertThat(steps).containsExactly("start a", "stop a");
    }

    @Test
    void aFailedOrSlowStopDoesNotKeepTheOthersRunning() throws Exception {
        Services services = new Services(vertx, List.of(ok("a"), service("slow", false, false, 3000),
                service("broken", false, true, 20)));
        await(services.deploy());

        long t0 = System.nanoTime();
        await(services.undeploy());

        // "slow" is given its stop limit (1 s), not the 3 s it would take
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
        assertThat(steps).containsSubsequence("stop broken", "stop a");
        assertThat(steps.indexOf("stop a")).isGreaterThan(steps.indexOf("stop broken"));
        assertThat(services.running()).isEmpty();
    }

    @Test
    void deploysOnlyOnce() throws Exception {
        Services services = new Services(vertx, List.of(ok("a")));
        await(services.deploy());

        Throwable again = services.deploy().toCompletionStage().toCompletableFuture()
                .handle((v, e) -> e).get(10, TimeUnit.SECONDS);

        assertThat(again).hasMessageContaining("already deployed");
        assertThat(steps).containsExactly("start a");
    }
}
