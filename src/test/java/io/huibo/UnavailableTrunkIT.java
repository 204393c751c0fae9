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
 * A leg B whose every route is unavailable (DIALSTATUS CHANUNAVAIL: the trunk's contact is down, so no
 * channel is created, no DialBegin or DialEnd is sent) is a congestion of leg B and retried as one, the
 * same as on a real Asterisk 20 (RealAsteriskIT, "leg B: only an unreachable trunk"), where it was
 * "failed ... leg B never dialed" before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnavailableTrunkIT {
    private static final String SCENARIO = """
            trunks:
              "down": chanunavail
            """;

    private Stack stack;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Stack.Proc sim = stack.sim(1, 10, SCENARIO);
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_ROUTING_LEG_A", "PJSIP/{number}@trunk");
        env.put("HUIBO_ROUTING_LEG_B", "PJSIP/{number}@down");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    @Test
    void legBWithOnlyAnUnavailableTrunkIsCongestionOfBAndRetried() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800000061")
                .put("destination", "+8613900000061").put("maxAttempts", 2));
        JsonObject[] cb = new JsonObject[1];
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            cb[0] = stack.callback(huibo, id);
            assertThat(cb[0].getString("state")).isEqualTo("failed");
            JsonArray attempts = cb[0].getJsonArray("attempts");
            assertThat(attempts).hasSize(2);
            // the answered try of leg A is recorded as the attempt ends, the reports as they come
            assertThat(attempts.getJsonObject(1).getJsonArray("tries")).hasSize(2);
        });
        JsonArray attempts = cb[0].getJsonArray("attempts");
        for (int i = 0; i < attempts.size(); i++) {
            JsonObject a = attempts.getJsonObject(i);
            assertThat(a.getString("outcome")).as(a.encode()).isEqualTo("congestion");
            assertThat(a.getString("failedLeg")).isEqualTo("b");
            List<String> tries = new ArrayList<>();
            JsonArray t = a.getJsonArray("tries");
            for (int j = 0; j < t.size(); j++) {
                JsonObject x = t.getJsonObject(j);
                tries.add(x.getString("leg") + x.getInteger("try") + " " + x.getString("dialStatus") + " " + x.getInteger("cause"));
            }
            assertThat(tries).containsExactlyInAnyOrder("a1 ANSWER null", "b1 CHANUNAVAIL 3");
        }
    }
}
