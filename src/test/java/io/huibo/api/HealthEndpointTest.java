package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.health.HealthCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 9, defect 13 over real HTTP: a burst of {@code /health} requests costs one check. */
class HealthEndpointTest {

    Vertx vertx;
    HttpClient client;
    final AtomicInteger checks = new AtomicInteger();
    volatile boolean healthy = true;

    final HealthCheck counting = () -> {
        checks.incrementAndGet();
        // answered a little later, as a real ping is, so the burst arrives while it runs
        return vertx.timer(50).map(x -> new HealthCheck.Report(healthy,
                new JsonObject().put("status", healthy ? "up" : "down")));
    };

    @BeforeEach
    void up() {
        vertx = Vertx.vertx();
        client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(50));
    }

    @AfterEach
    void down() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void aBurstOfHealthRequestsCostsOneCheck() throws Exception {
        int port = start();
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            statuses.add(get(port));
        }
        for (Future<Integer> s : statuses) {
            assertThat(s.await(10, TimeUnit.SECONDS)).isEqualTo(200);
        }
        assertThat(checks).as("one check for the whole burst").hasValue(1);
    }

    @Test
    void anUnhealthyCheckIs503() throws Exception {
        healthy = false;
        int port = start();
        assertThat(get(port).await(10, TimeUnit.SECONDS)).isEqualTo(503);
    }

    private int start() throws Exception {
        HttpApi api = new HttpApi(vertx, null, token -> Future.succeededFuture(null), counting, List.of());
        var server = vertx.createHttpServer().requestHandler(api.router()).listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    private Future<Integer> get(int port) {
        return client.request(HttpMethod.GET, port, "127.0.0.1", "/health")
                .compose(req -> req.send())
                .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }
}
