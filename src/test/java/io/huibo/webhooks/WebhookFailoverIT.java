package io.huibo.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * At least once across an instance's death: the instance posting a webhook is killed (SIGKILL) while
 * the receiver holds the request unanswered; another instance, started afterwards, posts it again once
 * the dead one's lease is over, and marks it delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookFailoverIT {
    private static final String SECRET = "it-webhook-secret-" + java.util.UUID.randomUUID();

    private Stack stack;
    private Stack.Proc sim;
    private Vertx vertx;
    private HttpServer receiver;
    private final List<String> creationPosts = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstPost = new CountDownLatch(1);

    @BeforeAll
    void up() throws Exception {
        vertx = Vertx.vertx();
        WebhookSignature verifier = new WebhookSignature(SECRET);
        receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(buf -> {
            String body = buf.toString();
            JsonObject event = new JsonObject(body);
            if (!verifier.verify(req.getHeader(WebhookSignature.HEADER), body, Instant.now(), Duration.ofMinutes(5))) {
                req.response().setStatusCode(400).end();
                return;
            }
            if ("state".equals(event.getString("type")) && event.getString("from") == null) {
                creationPosts.add(req.getHeader("Huibo-Delivery-Id"));
                if (creationPosts.size() == 1) {
                    // held unanswered: its sender is killed meanwhile
                    firstPost.countDown();
                    return;
                }
            }
            req.response().setStatusCode(200).end();
        })).listen(Stack.freePort(), "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        stack = new Stack();
        sim = stack.sim(1, 10, null);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Map<String, String> env() throws Exception {
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_WEBHOOKS_SECRET", SECRET);
        env.put("HUIBO_WEBHOOKS_ALLOW_PRIVATE", "true");
        // a lease of three timeouts: 6 s
        env.put("HUIBO_WEBHOOKS_TIMEOUT", "2s");
        env.put("HUIBO_WEBHOOKS_POLL_INTERVAL", "100ms");
        return env;
    }

    @Test
    void aDeliveryClaimedByAKilledInstanceIsPostedByAnother() throws Exception {
        Stack.Proc a = stack.huibo(env());
        String id = stack.submit(a, new JsonObject().put("number", "+8613800138000").put("destination", "+8613900139000")
                .put("webhook", "http://127.0.0.1:" + receiver.actualPort() + "/hook"));
        assertThat(firstPost.await(20, TimeUnit.SECONDS)).as("the first post reached the receiver").isTrue();
        a.kill9();
        long killedAt = System.nanoTime();

        Stack.Proc b = stack.huibo(env());
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonArray hooks = stack.callback(b, id).getJsonArray("webhooks");
            assertThat(hooks).isNotEmpty();
            JsonObject creation = hooks.getJsonObject(0);
            assertThat(creation.getString("status")).isEqualTo("delivered");
            assertThat(creation.getInteger("attempts")).isEqualTo(2);
        });
        assertThat(creationPosts).hasSize(2);
        assertThat(creationPosts.get(1)).as("the same delivery, posted again").isEqualTo(creationPosts.get(0));
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("not before the dead one's lease ended")
                .isGreaterThan(Duration.ofSeconds(3));
    }
}
