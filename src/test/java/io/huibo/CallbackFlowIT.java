package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One callback end to end over real sockets: HTTP in, MariaDB, Redis, AMI to the simulator,
 * FastAGI from the simulator back to Huibo, outcome recorded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallbackFlowIT {
    /** Busy the first time it is called, answered the second time. */
    private static final String BUSY_THEN_ANSWER = "+8613800000016";
    private static final String SCENARIO = """
            numbers:
              "%s":
                outcomes: [busy, answer]
            """.formatted(BUSY_THEN_ANSWER);

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(2, 10, SCENARIO);
        huibo = stack.huibo(stack.huiboEnv(sim, 10));
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private JsonObject waitForState(String id, String state) {
        JsonObject[] last = new JsonObject[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = stack.callback(huibo, id);
            assertThat(last[0].getString("state")).isEqualTo(state);
        });
        return last[0];
    }

    private List<JsonObject> simCallsOf(String id) throws Exception {
        return stack.simCallsOf(sim, id);
    }

    @Test
    void answeredCallbackConnectsBothLegs() throws Exception {
        String id = stack.submit(huibo, new JsonObject()
                .put("number", "+8613800138000").put("destination", "+8613900139000")
                .put("metadata", new JsonObject().put("ticket", "T-1")));

        JsonObject cb = waitForState(id, "completed");

        JsonArray attempts = cb.getJsonArray("attempts");
        assertThat(attempts).hasSize(1);
        JsonObject a = attempts.getJsonObject(0);
        assertThat(a.getString("outcome")).isEqualTo("connected");
        assertThat(a.getString("node")).startsWith("sim");
        assertThat(a.getString("channelId")).isEqualTo("hb-" + id + "-1");
        assertThat(a.getString("answeredAt")).isNotNull();
        assertThat(a.getString("endedAt")).isNotNull();
        assertThat(cb.getJsonObject("metadata").getString("ticket")).isEqualTo("T-1");

        List<JsonObject> calls = simCallsOf(id);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getString("legA")).isEqualTo("+8613800138000");
        assertThat(calls.get(0).getString("legB")).isEqualTo("+8613900139000");
        assertThat(stack.count("SELECT COUNT(*) FROM callback_events WHERE callback_id='" + id + "'"))
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void busyThenAnsweredOnTheRetry() throws Exception {
        String id = stack.submit(huibo, new JsonObject()
                .put("number", BUSY_THEN_ANSWER).put("destination", "+8613900139001").put("maxAttempts", 3));

        JsonObject cb = waitForState(id, "completed");

        JsonArray attempts = cb.getJsonArray("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("busy");
        assertThat(attempts.getJsonObject(0).getString("failedLeg")).isEqualTo("a");
        assertThat(attempts.getJsonObject(0).getInteger("hangupCause")).isEqualTo(17);
        assertThat(attempts.getJsonObject(1).getString("outcome")).isEqualTo("connected");
        // the retry waited for the busy delay (1 s in this stack)
        Instant firstEnd = Instant.parse(attempts.getJsonObject(0).getString("endedAt"));
        Instant secondStart = Instant.parse(attempts.getJsonObject(1).getString("startedAt"));
        assertThat(Duration.between(firstEnd, secondStart)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(simCallsOf(id)).hasSize(2);
    }

    @Test
    void neverAnsweredFailsAfterMaxAttempts() throws Exception {
        String id = stack.submit(huibo, new JsonObject()
                .put("number", "+8613800000018").put("destination", "+8613900139002").put("maxAttempts", 2));

        JsonObject cb = waitForState(id, "failed");

        JsonArray attempts = cb.getJsonArray("attempts");
        assertThat(attempts).hasSize(2);
        for (int i = 0; i < attempts.size(); i++) {
            JsonObject a = attempts.getJsonObject(i);
            assertThat(a.getInteger("number")).isEqualTo(i + 1);
            assertThat(a.getString("outcome")).isEqualTo("no_answer");
            assertThat(a.getString("endedAt")).isNotNull();
        }
        assertThat(cb.getInteger("attemptCount")).isEqualTo(2);
        assertThat(simCallsOf(id)).hasSize(2);
    }

    @Test
    void cancelledBeforeDialingIsNeverDialed() throws Exception {
        String id = stack.submit(huibo, new JsonObject()
                .put("number", "+8613800138003").put("destination", "+8613900139003")
                .put("at", Instant.now().plusSeconds(3).toString()));

        var del = stack.delete(stack.api(huibo) + "/v1/callbacks/" + id, Stack.TOKEN);
        assertThat(del.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(del.body()).getString("state")).isEqualTo("cancelled");

        // past its due time it is still not dialed
        Thread.sleep(4500);
        JsonObject cb = stack.callback(huibo, id);
        assertThat(cb.getString("state")).isEqualTo("cancelled");
        assertThat(cb.getJsonArray("attempts")).isEmpty();
        assertThat(simCallsOf(id)).isEmpty();

        var again = stack.delete(stack.api(huibo) + "/v1/callbacks/" + id, Stack.TOKEN);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void cancellingACallInProgressIsRefused() throws Exception {
        String id = stack.submit(huibo, new JsonObject()
                .put("number", "+8613800000028").put("destination", "+8613900139004").put("maxAttempts", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> "dialing".equals(stack.callback(huibo, id).getString("state")));
        var del = stack.delete(stack.api(huibo) + "/v1/callbacks/" + id, Stack.TOKEN);
        assertThat(del.statusCode()).isEqualTo(409);
        waitForState(id, "failed");
    }

    @Test
    void idempotencyKeyReturnsTheFirstCallback() throws Exception {
        String body = new JsonObject().put("number", "+8613800138004").put("destination", "+8613900139005")
                .put("at", Instant.now().plusSeconds(3600).toString()).encode();
        var first = stack.post(stack.api(huibo) + "/v1/callbacks", body, Stack.TOKEN, java.util.Map.of("Idempotency-Key", "k-42"));
        var second = stack.post(stack.api(huibo) + "/v1/callbacks", body, Stack.TOKEN, java.util.Map.of("Idempotency-Key", "k-42"));
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(second.body()).getString("id")).isEqualTo(new JsonObject(first.body()).getString("id"));
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE idempotency_key='k-42'")).isEqualTo(1);
    }

    @Test
    void healthReportsRedisMariaDbAndEveryNode() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var r = stack.get(stack.api(huibo) + "/health", null);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonObject h = new JsonObject(r.body());
            assertThat(h.getJsonObject("redis").getString("status")).isEqualTo("up");
            assertThat(h.getJsonObject("mariadb").getString("status")).isEqualTo("up");
            JsonArray nodes = h.getJsonArray("nodes");
            assertThat(nodes).hasSize(2);
            assertThat(nodes.getJsonObject(0).getString("state")).isEqualTo("connected");
        });
    }
}
