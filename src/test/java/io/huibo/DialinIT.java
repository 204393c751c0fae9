package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dial-in hook end to end: the simulator plays a caller dialing the access number through
 * [huibo-dialin]; Huibo registers the callback without the call being answered, or refuses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DialinIT {
    private static final String CALLER = "+8613700000031";

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Map<String, String> probe = stack.huiboEnv(null, 10);
        String agi = "127.0.0.1:" + probe.get("HUIBO_AGI_PORT");
        sim = stack.sim(1, 10, null, "--dialin-agi", agi);
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_AGI_PORT", probe.get("HUIBO_AGI_PORT"));
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private HttpResponse<String> put(String number, JsonObject body) throws Exception {
        return stack.send(huibo, "PUT", "/v1/dialin/callers/" + number.replace("+", "%2B"), body.encode());
    }

    @Test
    void aRegisteredCallerGetsACallbackWithoutBeingAnswered() throws Exception {
        HttpResponse<String> r = put(CALLER, new JsonObject().put("destination", "+8613900000031"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getBoolean("hasPin")).isFalse();

        HttpResponse<String> call = stack.simDialin(sim, new JsonObject().put("caller", CALLER).put("access", "5000").encode());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        JsonObject res = new JsonObject(call.body());
        assertThat(res.getString("huiboResult")).isEqualTo("queued");
        assertThat(res.getString("result")).isEqualTo("busy");
        assertThat(res.getBoolean("answered")).isFalse();

        // the callback is placed: the caller is called back and connected to the stored destination
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonArray calls = stack.simCalls(sim);
            boolean found = false;
            for (int i = 0; i < calls.size(); i++) {
                JsonObject c = calls.getJsonObject(i);
                if ("callback".equals(c.getString("kind")) && String.valueOf(c.getString("legA")).contains(CALLER)
                        && "answered".equals(c.getString("outcome")) && !c.getBoolean("live")) {
                    found = true;
                }
            }
            assertThat(found).as("a completed callback to %s in %s", CALLER, calls).isTrue();
        });
        // the simulator sees the hangup before Huibo's group commit records it: wait for the row
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + CALLER
                        + "' AND destination = '+8613900000031' AND state = 'completed'")).isEqualTo(1));
    }

    /** As on a real Asterisk (RealAsteriskIT): answered to read the PIN, which Huibo reads as HUIBO_PIN, then hung up. */
    @Test
    void aCallerWithAPinIsAnsweredKeysItInAndIsCalledBack() throws Exception {
        String caller = "+8613700000041";
        HttpResponse<String> r = put(caller, new JsonObject().put("destination", "+8613900000041").put("pin", "2468"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        HttpResponse<String> wrong = stack.simDialin(sim, new JsonObject().put("caller", caller).put("access", "5000")
                .put("pin", "1357").encode());
        assertThat(new JsonObject(wrong.body()).getString("huiboResult")).as(wrong.body()).isEqualTo("refused");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + caller + "'")).isZero();

        HttpResponse<String> call = stack.simDialin(sim, new JsonObject().put("caller", caller).put("access", "5000")
                .put("pin", "2468").encode());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        JsonObject res = new JsonObject(call.body());
        assertThat(res.getString("huiboResult")).as(call.body()).isEqualTo("queued");
        assertThat(res.getBoolean("answered")).isTrue();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + caller
                        + "' AND destination = '+8613900000041' AND state = 'completed'")).isEqualTo(1));
    }

    @Test
    void aCallerOnTheDoNotCallListIsRefusedAndNothingIsStored() throws Exception {
        String caller = "+8613700000051";
        assertThat(put(caller, new JsonObject().put("destination", "+8613900000051")).statusCode()).isEqualTo(200);
        HttpResponse<String> listed = stack.send(huibo, "PUT", "/v1/dnc/" + caller.replace("+", "%2B"),
                new JsonObject().put("reason", "asked not to be called").encode());
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(201);

        HttpResponse<String> call = stack.simDialin(sim, new JsonObject().put("caller", caller).put("access", "5000").encode());

        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        JsonObject res = new JsonObject(call.body());
        assertThat(res.getString("huiboResult")).as(call.body()).isEqualTo("refused");
        assertThat(res.getBoolean("answered")).isFalse();
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + caller + "'")).isZero();
    }

    @Test
    void anUnknownCallerIsRefused() throws Exception {
        HttpResponse<String> call = stack.simDialin(sim, new JsonObject().put("caller", "+8613700000099").put("access", "5000").encode());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        JsonObject res = new JsonObject(call.body());
        assertThat(res.getString("huiboResult")).isEqualTo("refused");
        assertThat(res.getString("result")).isEqualTo("rejected");
        assertThat(res.getBoolean("answered")).isFalse();
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '+8613700000099'")).isZero();
    }

    @Test
    void theCallerApiRefusesBadInput() throws Exception {
        HttpResponse<String> r = put("12&3", new JsonObject());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("field")).isEqualTo("number");
        r = put("+8613700000032", new JsonObject().put("pin", "12"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("field")).isEqualTo("pin");
        r = put("+8613700000032", new JsonObject().put("pin", "1234"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("1234");
        assertThat(stack.get(stack.api(huibo) + "/v1/dialin/callers", Stack.TOKEN).body()).contains("+8613700000032");
    }
}
