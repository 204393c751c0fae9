package io.huibo.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.pbx.NodeStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /health/live} and {@code /health/ready} over real HTTP, on {@link ServiceHealth}'s verdict. */
class HealthProbesTest {
    Vertx vertx;
    final HttpClient client = HttpClient.newHttpClient();
    volatile boolean redisUp = true;
    volatile boolean dbUp = true;
    volatile List<NodeStatus> nodes = List.of(node(NodeStatus.State.CONNECTED));

    static NodeStatus node(NodeStatus.State s) {
        return new NodeStatus("pbx1", s, null, 0, 10, null);
    }

    @BeforeEach
    void up() throws Exception {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void down() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private int start() throws Exception {
        HealthCheck health = new ServiceHealth(() -> Future.succeededFuture(redisUp),
                () -> Future.succeededFuture(dbUp), () -> nodes);
        Router router = Router.router(vertx);
        new HealthProbes(health).mount(router);
        return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS).actualPort();
    }

    private record Answer(int status, String type, JsonObject body) {
    }

    /** With the JDK's client, as a load balancer's probe: a client of its own, not Vert.x's. */
    private JsonObject get(int port, String path, int status) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        Answer a = new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                new JsonObject(r.body()));
        assertThat(a.status()).as(path + " " + a.body()).isEqualTo(status);
        assertThat(a.type()).isEqualTo("application/json");
        return a.body();
    }

    @Test
    void readyWithRedisMariaDbAndANode() throws Exception {
        int port = start();
        assertThat(get(port, "/health/live", 200).getString("status")).isEqualTo("live");
        JsonObject ready = get(port, "/health/ready", 200);
        assertThat(ready.getString("status")).isEqualTo("ready");
        assertThat(ready.getJsonArray("nodes")).hasSize(1);
    }

    @Test
    void notReadyWithoutADialableNodeButStillLive() throws Exception {
        nodes = List.of(node(NodeStatus.State.DISCONNECTED), new NodeStatus("pbx2", NodeStatus.State.AUTH_FAILED,
                "authentication failed", 0, 10, null));
        int port = start();
        assertThat(get(port, "/health/ready", 503).getString("status")).isEqualTo("not ready");
        assertThat(get(port, "/health/live", 200).getString("status")).isEqualTo("live");
    }

    @Test
    void aNodeDrivenByAnotherInstanceIsDialable() throws Exception {
        nodes = List.of(node(NodeStatus.State.STANDBY));
        assertThat(get(start(), "/health/ready", 200).getString("status")).isEqualTo("ready");
    }

    @Test
    void notReadyWhenRedisOrMariaDbIsDown() throws Exception {
        redisUp = false;
        int port = start();
        JsonObject body = get(port, "/health/ready", 503);
        assertThat(body.getJsonObject("redis").getString("status")).isEqualTo("down");
        redisUp = true;
        dbUp = false;
        assertThat(get(port, "/health/ready", 503).getJsonObject("mariadb").getString("status")).isEqualTo("down");
    }
}
