package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 2: the instance that placed a call is killed while leg A rings; leg A answers. Leg
 * B's route request finds the dead instance refusing and falls back to a live one (HUIBO_AGI_2 of the
 * Originate), so the answered person is connected instead of hung up on with cause 38, and the survivor
 * follows the call to its end: one call, completed.
 */
class InstanceKilledWhileRingingIT {
    private static final String CUSTOMER = "+8613800007201";
    private static final String SCENARIO = """
            numbers:
              "%s":
                outcomes: [answer]
                answerAfter: 4s
                talk: 3s
            """.formatted(CUSTOMER);

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
    void legBIsRoutedByASurvivorAndTheCallIsNotRepeated() throws Exception {
        Map<String, String> envA = stack.huiboEnv(sim, 10);
        envA.put("HUIBO_DISPATCH_ORIGINATE_TIMEOUT", "10s");
        Map<String, String> envB = new java.util.HashMap<>(envA);
        envB.put("HUIBO_HTTP_PORT", String.valueOf(Stack.freePort()));
        envB.put("HUIBO_AGI_PORT", String.valueOf(Stack.freePort()));
        Stack.Proc a = stack.huibo(envA);
        Stack.Proc b = stack.huibo(envB);
        // both instances see each other before the call is placed, and one drives the node
        Stack.Proc[] owner = new Stack.Proc[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            owner[0] = nodeOwner(a, b);
            return owner[0] != null;
        });
        Thread.sleep(2000); // a heartbeat round: each instance knows the other's FastAGI address
        Stack.Proc survivor = owner[0] == a ? b : a;

        String id = stack.submit(survivor, new JsonObject().put("number", CUSTOMER)
                .put("destination", "+8613900007201").put("maxAttempts", 2));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.simCallsOf(sim, id).size() == 1);
        owner[0].kill9();

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.simCallsOf(sim, id).get(0).getString("legBOutcome") != null);
        assertThat(stack.simCallsOf(sim, id).get(0).getString("legBOutcome"))
                .as("leg B reached through the surviving instance").isEqualTo("answered");

        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.callback(survivor, id).getString("state").matches("completed|failed"));
        Thread.sleep(2000);
        JsonObject cb = stack.callback(survivor, id);
        assertThat(cb.getString("state")).isEqualTo("completed");
        JsonArray attempts = cb.getJsonArray("attempts");
        assertThat(attempts).hasSize(1);
        assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("connected");
        assertThat(stack.simCallsOf(sim, id)).hasSize(1);
    }

    /** The instance whose GET /v1/nodes says it drives the node itself; null while none does. */
    private Stack.Proc nodeOwner(Stack.Proc a, Stack.Proc b) throws Exception {
        for (Stack.Proc p : List.of(a, b)) {
            JsonArray nodes = new JsonArray(stack.get(stack.api(p) + "/v1/nodes", Stack.TOKEN).body());
            JsonObject n = nodes.getJsonObject(0);
            if (Boolean.TRUE.equals(n.getBoolean("local")) && "connected".equals(n.getString("state"))) {
                return p;
            }
        }
        return null;
    }
}
