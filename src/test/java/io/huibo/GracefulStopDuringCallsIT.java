package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 8: a rolling restart. The only instance gets SIGTERM while its calls ring; leg A
 * answers during the shutdown. It keeps FastAGI and AMI up until those calls have their leg B route,
 * then hands them to the next owner and logs off; the instance started in its place follows them to the
 * end. Every call connects once; none is retried.
 */
class GracefulStopDuringCallsIT {
    private static final int CALLS = 3;
    private static final String SCENARIO = """
            defaults:
              answerAfter: 3s
              talk: 4s
            """;

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

    @Test
    void callsAnsweredDuringAShutdownAreConnectedAndNotRetried() throws Exception {
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_DISPATCH_ORIGINATE_TIMEOUT", "10s");
        Stack.Proc first = stack.huibo(env);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            ids.add(stack.submit(first, new JsonObject().put("number", "+86138000075" + i)
                    .put("destination", "+86139000075" + i).put("maxAttempts", 3)));
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (String id : ids) {
                if (stack.simCallsOf(sim, id).size() != 1) {
                    return false;
                }
            }
            return true;
        });

        first.terminate();
        assertThat(first.waitFor(Duration.ofSeconds(40))).as("the instance stops within its grace").isTrue();
        Stack.Proc second = stack.huibo(env);

        for (String id : ids) {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                    .until(() -> stack.callback(second, id).getString("state").matches("completed|failed"));
        }
        Thread.sleep(2000);
        for (String id : ids) {
            List<JsonObject> calls = stack.simCallsOf(sim, id);
            assertThat(calls).as("calls placed for %s", id).hasSize(1);
            assertThat(calls.get(0).getString("legBOutcome")).as("leg B of %s", id).isEqualTo("answered");
            JsonObject cb = stack.callback(second, id);
            assertThat(cb.getString("state")).isEqualTo("completed");
            JsonArray attempts = cb.getJsonArray("attempts");
            assertThat(attempts).hasSize(1);
            assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("connected");
        }
    }
}
