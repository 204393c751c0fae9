package io.huibo.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Webhooks end to end: a receiver in the test (loopback, allowed by this stack's config) checks every
 * signature, answers 500 to the first two posts of the callback's creation event and 200 to everything
 * else; the creation is delivered on the third try, every other event on the first, and the callback's
 * view shows it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookIT {
    private static final String SECRET = "it-webhook-secret-" + java.util.UUID.randomUUID();

    record Received(long eventId, String header, String body, boolean signed, int answered) {
    }

    private Stack stack;
    private Stack.Proc huibo;
    private Vertx vertx;
    private HttpServer receiver;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger creationFailures = new AtomicInteger();
    private final WebhookSignature verifier = new WebhookSignature(SECRET);

    @BeforeAll
    void up() throws Exception {
        vertx = Vertx.vertx();
        int port = Stack.freePort();
        receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(buf -> {
            String body = buf.toString();
            String header = req.getHeader(WebhookSignature.HEADER);
            boolean signed = verifier.verify(header, body, Instant.now(), Duration.ofMinutes(5));
            JsonObject event = new JsonObject(body);
            boolean creation = "state".equals(event.getString("type")) && event.getString("from") == null;
            int status = !signed ? 400 : creation && creationFailures.getAndIncrement() < 2 ? 500 : 200;
            received.add(new Received(Long.parseLong(req.getHeader("Huibo-Event-Id")), header, body, signed, status));
            req.response().setStatusCode(status).end("ok");
        })).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        stack = new Stack();
        Stack.Proc sim = stack.sim(1, 10, null);
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_WEBHOOKS_SECRET", SECRET);
        env.put("HUIBO_WEBHOOKS_ALLOW_PRIVATE", "true");
        env.put("HUIBO_WEBHOOKS_BACKOFF_BASE", "300ms");
        env.put("HUIBO_WEBHOOKS_BACKOFF_MAX", "2s");
        env.put("HUIBO_WEBHOOKS_POLL_INTERVAL", "100ms");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String hook() {
        return "http://127.0.0.1:" + receiver.actualPort() + "/hook";
    }

    private List<Long> storedIds(String callbackId) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (var c = stack.db(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM callback_events WHERE callback_id = ? ORDER BY id")) {
            ps.setString(1, callbackId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    @Test
    void everyEventIsPostedSignedAndAFailedOneIsRetriedUntilA2xx() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800138000")
                .put("destination", "+8613900139000").put("webhook", hook()));

        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonObject cb = stack.callback(huibo, id);
            assertThat(cb.getString("state")).isEqualTo("completed");
            JsonArray hooks = cb.getJsonArray("webhooks");
            assertThat(hooks).hasSize(storedIds(id).size());
            for (int i = 0; i < hooks.size(); i++) {
                assertThat(hooks.getJsonObject(i).getString("status")).isEqualTo("delivered");
            }
        });

        List<Long> events = storedIds(id);
        assertThat(received).allSatisfy(r -> assertThat(r.signed()).as("signature of %s", r.header()).isTrue());
        assertThat(new TreeSet<>(received.stream().map(Received::eventId).toList())).containsExactlyElementsOf(events);
        long creation = events.get(0);
        List<Received> creationPosts = received.stream().filter(r -> r.eventId() == creation).toList();
        assertThat(creationPosts).extracting(Received::answered).containsExactly(500, 500, 200);
        // the redelivery is the same event, signed anew
        assertThat(creationPosts).extracting(Received::body).containsOnly(creationPosts.get(0).body());
        JsonObject body = new JsonObject(creationPosts.get(0).body());
        assertThat(body.getString("callbackId")).isEqualTo(id);
        assertThat(body.getLong("id")).isEqualTo(creation);

        JsonArray hooks = stack.callback(huibo, id).getJsonArray("webhooks");
        JsonObject first = hooks.getJsonObject(0);
        assertThat(first.getLong("eventId")).isEqualTo(creation);
        assertThat(first.getInteger("attempts")).isEqualTo(3);
        assertThat(first.getInteger("lastStatus")).isEqualTo(200);
        assertThat(first.getString("url")).isEqualTo(hook());
        assertThat(first.getString("deliveredAt")).isNotNull();
        for (int i = 1; i < hooks.size(); i++) {
            assertThat(hooks.getJsonObject(i).getInteger("attempts")).isEqualTo(1);
        }
        assertThat(received.stream().filter(r -> r.eventId() != creation)).allSatisfy(r ->
                assertThat(r.answered()).isEqualTo(200));
    }

    @Test
    void onlyHttpUrlsAreTaken() throws Exception {
        var r = stack.post(stack.api(huibo) + "/v1/callbacks", new JsonObject().put("number", "+8613800138000")
                .put("destination", "+8613900139000").put("webhook", "gopher://127.0.0.1/").encode(), Stack.TOKEN, Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("field")).isEqualTo("webhook");
    }
}
