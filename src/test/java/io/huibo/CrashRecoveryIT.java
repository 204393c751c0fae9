package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kill -9 of Huibo at the two dangerous moments: nothing lost, nothing dialed twice. */
class CrashRecoveryIT {
    /** Answers and stays up long enough for a kill, a lease expiry and a restart in the middle. */
    private static final String LONG_CALL = "+8613800000031";
    private static final String SCENARIO = """
            numbers:
              "%s":
                outcomes: [answer]
                talk: 12s
            """.formatted(LONG_CALL);

    private Stack stack;
    private Stack.Proc sim;

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, SCENARIO);
    }

    @AfterEach
    void down() throws Exception {
        stack.close();
    }

    private List<JsonObject> simCallsOf(String id) throws Exception {
        return stack.simCallsOf(sim, id);
    }

    @Test
    void killedAfterAcceptingAndBeforeDialingDialsExactlyOnceAfterRestart() throws Exception {
        Map<String, String> env = stack.huiboEnv(sim, 10);
        Stack.Proc first = stack.huibo(env);
        String id = stack.submit(first, new JsonObject()
                .put("number", "+8613800138010").put("destination", "+8613900139010")
                .put("at", Instant.now().plusSeconds(2).toString()));
        first.kill9();
        assertThat(simCallsOf(id)).isEmpty();

        Stack.Proc second = stack.huibo(env);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> "completed".equals(stack.callback(second, id).getString("state")));

        Thread.sleep(1000);
        assertThat(simCallsOf(id)).hasSize(1);
        assertThat(stack.callback(second, id).getJsonArray("attempts")).hasSize(1);
    }

    @Test
    void killedDuringACallReconcilesWithTheNodeInsteadOfRedialing() throws Exception {
        Map<String, String> env = stack.huiboEnv(sim, 10);
        Stack.Proc first = stack.huibo(env);
        String id = stack.submit(first, new JsonObject()
                .put("number", LONG_CALL).put("destination", "+8613900139011").put("maxAttempts", 3));
        String channelId = "hb-" + id + "-1";
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<JsonObject> calls = simCallsOf(id);
            return calls.size() == 1 && "answered".equals(calls.get(0).getString("outcome"))
                    && stack.simChannelLive(sim, channelId);
        });

        first.kill9();
        Stack.Proc second = stack.huibo(env);

        // the new instance finds the live call on the node, adopts it and sees it end
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                .until(() -> "completed".equals(stack.callback(second, id).getString("state")));
        JsonObject cb = stack.callback(second, id);
        assertThat(cb.getJsonArray("attempts")).hasSize(1);
        assertThat(cb.getJsonArray("attempts").getJsonObject(0).getString("outcome")).isEqualTo("connected");
        assertThat(simCallsOf(id)).hasSize(1);
        assertThat(second.output()).anyMatch(l -> l.contains("adopting live call " + channelId));
    }
}
