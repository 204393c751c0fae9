package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The call flows of issue 3 end to end on the simulator: failover between routes with every try
 * recorded, agent-first, and the "press 1" confirmation of leg A pressed, not pressed, and hung up on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallFlowsIT {
    private static final String NOT_PRESSING = "+8613800000024";
    private static final String HANGING_UP = "+8613800000025";
    /** Leg A: the first trunk always gives congestion, the second works; leg B: one trunk. */
    private static final String SCENARIO = """
            defaults:
              readTimeout: 300ms
            trunks:
              "bad": congestion
            numbers:
              "%s":
                press: ""
              "%s":
                press: hangup
            """.formatted(NOT_PRESSING, HANGING_UP);

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, SCENARIO);
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_ROUTING_LEG_A", "PJSIP/{number}@bad,PJSIP/{number}@trunk");
        env.put("HUIBO_ROUTING_LEG_B", "PJSIP/{number}@trunk");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private JsonObject waitFor(String id, String state, int triesOfAttempt1) {
        JsonObject[] last = new JsonObject[1];
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = stack.callback(huibo, id);
            assertThat(last[0].getString("state")).isEqualTo(state);
            // leg A's report arrives when its Dial() returns, after the bridge: may trail the end
            assertThat(last[0].getJsonArray("attempts").getJsonObject(0).getJsonArray("tries")).hasSize(triesOfAttempt1);
        });
        return last[0];
    }

    private List<JsonObject> simCallsOf(String id) throws Exception {
        return stack.simCallsOf(sim, id);
    }

    private static List<String> tries(JsonObject attempt) {
        List<String> out = new ArrayList<>();
        JsonArray t = attempt.getJsonArray("tries");
        for (int i = 0; i < t.size(); i++) {
            JsonObject x = t.getJsonObject(i);
            out.add(x.getString("leg") + x.getInteger("try") + " " + x.getString("dialString") + " " + x.getString("dialStatus"));
        }
        return out;
    }

    @Test
    void congestionOnTheFirstRouteFailsOverToTheSecondAndBothTriesAreRecorded() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800000021").put("destination", "+8613900000021"));
        JsonObject cb = waitFor(id, "completed", 3);
        JsonObject a = cb.getJsonArray("attempts").getJsonObject(0);
        assertThat(a.getString("outcome")).isEqualTo("connected");
        assertThat(tries(a)).containsExactly(
                "a1 PJSIP/+8613800000021@bad CONGESTION",
                "a2 PJSIP/+8613800000021@trunk ANSWER",
                "b1 PJSIP/+8613900000021@trunk ANSWER");
        JsonObject first = a.getJsonArray("tries").getJsonObject(0);
        assertThat(first.getString("trunk")).isNotBlank();
        assertThat(first.getInteger("cause")).isEqualTo(34);
        assertThat(cb.getJsonArray("attempts")).hasSize(1);
    }

    @Test
    void agentFirstDialsTheDestinationOnLegA() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800000022").put("destination", "2001")
                .put("flow", "agent-first"));
        JsonObject cb = waitFor(id, "completed", 3);
        assertThat(cb.getString("flow")).isEqualTo("agent-first");
        assertThat(tries(cb.getJsonArray("attempts").getJsonObject(0))).containsExactly(
                "a1 PJSIP/2001@bad CONGESTION", "a2 PJSIP/2001@trunk ANSWER", "b1 PJSIP/+8613800000022@trunk ANSWER");
        List<JsonObject> calls = simCallsOf(id);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getString("legA")).contains("2001");
        assertThat(calls.get(0).getString("legB")).contains("+8613800000022");
    }

    @Test
    void confirmationPressedConnects() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800000023").put("destination", "+8613900000023")
                .put("confirm", true));
        JsonObject cb = waitFor(id, "completed", 3);
        assertThat(cb.getBoolean("confirm")).isTrue();
        assertThat(cb.getJsonArray("attempts").getJsonObject(0).getString("outcome")).isEqualTo("connected");
    }

    @Test
    void confirmationNotPressedIsNoAnswerOnLegAAndRetried() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", NOT_PRESSING).put("destination", "+8613900000024")
                .put("confirm", true).put("maxAttempts", 2));
        // two tries of leg A per attempt, leg B never dialed
        JsonObject cb = waitFor(id, "failed", 2);
        JsonArray attempts = cb.getJsonArray("attempts");
        assertThat(attempts).as("retried per policy").hasSize(2);
        for (int i = 0; i < attempts.size(); i++) {
            JsonObject a = attempts.getJsonObject(i);
            assertThat(a.getString("outcome")).as("attempt %d: %s", i + 1, a).isEqualTo("no_answer");
            assertThat(a.getString("failedLeg")).isEqualTo("a");
            assertThat(a.getInteger("hangupCause")).isEqualTo(19);
        }
        assertThat(tries(attempts.getJsonObject(0))).noneMatch(t -> t.startsWith("b"));
    }

    @Test
    void hangingUpDuringTheConfirmationPromptIsNoAnswerOnLegA() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", HANGING_UP).put("destination", "+8613900000025")
                .put("confirm", true).put("maxAttempts", 1));
        JsonObject cb = waitFor(id, "failed", 2);
        JsonObject a = cb.getJsonArray("attempts").getJsonObject(0);
        assertThat(a.getString("outcome")).as("%s", a).isEqualTo("no_answer");
        assertThat(a.getString("failedLeg")).isEqualTo("a");
        assertThat(a.getInteger("hangupCause")).isEqualTo(16);
        assertThat(a.getString("detail")).contains("did not confirm");
        assertThat(tries(a)).noneMatch(t -> t.startsWith("b"));
    }
}
