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
 * Issue 9, defect 1: Huibo killed (kill -9) while calls are bridged, the calls end while it is down.
 * Nobody saw them end, but the node remembers they went through: after the restart every callback is
 * completed with its one connected attempt, and nobody is called a second time.
 */
class InstanceKilledWhileBridgedIT {
    private static final int CALLS = 5;
    private static final String SCENARIO = """
            defaults:
              talk: 5s
            """;

    private Stack stack;
    private Stack.Proc sim;

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 20, SCENARIO);
    }

    @AfterEach
    void down() throws Exception {
        stack.close();
    }

    @Test
    void callsThatEndedWhileNobodyListenedAreCompletedNotRedialed() throws Exception {
        Map<String, String> env = stack.huiboEnv(sim, 20);
        Stack.Proc first = stack.huibo(env);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            ids.add(stack.submit(first, new JsonObject().put("number", "+86138000071" + i)
                    .put("destination", "+86139000071" + i).put("maxAttempts", 3)));
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (String id : ids) {
                List<JsonObject> calls = stack.simCallsOf(sim, id);
                if (calls.size() != 1 || !"answered".equals(calls.get(0).getString("legBOutcome"))
                        || !calls.get(0).getBoolean("live")) {
                    return false;
                }
            }
            return true;
        });

        first.kill9();
        // the calls end (talk time) while no instance runs
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (String id : ids) {
                if (stack.simCallsOf(sim, id).get(0).getBoolean("live")) {
                    return false;
                }
            }
            return true;
        });

        Stack.Proc second = stack.huibo(env);
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (String id : ids) {
                if (!"completed".equals(stack.callback(second, id).getString("state"))
                        && !"failed".equals(stack.callback(second, id).getString("state"))) {
                    return false;
                }
            }
            return true;
        });
        Thread.sleep(2000); // a retry, if there were one, would be dialed by now (retry delays are 500 ms)
        for (String id : ids) {
            JsonObject cb = stack.callback(second, id);
            assertThat(cb.getString("state")).as("state of %s", id).isEqualTo("completed");
            JsonArray attempts = cb.getJsonArray("attempts");
            assertThat(attempts).as("attempts of %s", id).hasSize(1);
            assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("connected");
            assertThat(stack.simCallsOf(sim, id)).as("calls placed for %s", id).hasSize(1);
        }
    }
}
