package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input over real HTTP gets a 400 problem naming the field, and nothing is stored or queued. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallbackApiIT {
    private Stack stack;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Map<String, String> env = stack.huiboEnv(null, 1);
        // a node nobody listens on: the API must work while a PBX is down
        env.put("HUIBO_NODES", "down1=huibo:x@127.0.0.1:" + Stack.freePort() + "/5");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    static Stream<Arguments> badBodies() {
        String ok = "\"destination\":\"+8613900139000\"";
        Stream.Builder<Arguments> b = Stream.builder();
        b.add(Arguments.of("malformed JSON", "{\"number\": \"+8613800138000\",", null));
        b.add(Arguments.of("not an object", "[1,2]", null));
        b.add(Arguments.of("missing number", "{" + ok + "}", "number"));
        b.add(Arguments.of("number not a string", "{\"number\":8613800138000," + ok + "}", "number"));
        b.add(Arguments.of("number without +", "{\"number\":\"8613800138000\"," + ok + "}", "number"));
        b.add(Arguments.of("number with letters", "{\"number\":\"+86138abc8000\"," + ok + "}", "number"));
        b.add(Arguments.of("number too long", "{\"number\":\"+8613800138000123456\"," + ok + "}", "number"));
        for (String bad : new String[] {"&", ",", "/", "|", ";", "\\r", "\\n", " "}) {
            b.add(Arguments.of("number with '" + bad + "'",
                    "{\"number\":\"+86138001" + bad + "38000\"," + ok + "}", "number"));
            b.add(Arguments.of("destination with '" + bad + "'",
                    "{\"number\":\"+8613800138000\",\"destination\":\"+8613900" + bad + "139000\"}", "destination"));
        }
        b.add(Arguments.of("dial-string injection", "{\"number\":\"+8613800138000&PJSIP/999\"," + ok + "}", "number"));
        b.add(Arguments.of("missing destination", "{\"number\":\"+8613800138000\"}", "destination"));
        b.add(Arguments.of("priority 10", "{\"number\":\"+8613800138000\"," + ok + ",\"priority\":10}", "priority"));
        b.add(Arguments.of("priority -1", "{\"number\":\"+8613800138000\"," + ok + ",\"priority\":-1}", "priority"));
        b.add(Arguments.of("priority 1.5", "{\"number\":\"+8613800138000\"," + ok + ",\"priority\":1.5}", "priority"));
        b.add(Arguments.of("maxAttempts 0", "{\"number\":\"+8613800138000\"," + ok + ",\"maxAttempts\":0}", "maxAttempts"));
        b.add(Arguments.of("maxAttempts 11", "{\"number\":\"+8613800138000\"," + ok + ",\"maxAttempts\":11}", "maxAttempts"));
        b.add(Arguments.of("bad at", "{\"number\":\"+8613800138000\"," + ok + ",\"at\":\"tomorrow\"}", "at"));
        b.add(Arguments.of("bad callerId", "{\"number\":\"+8613800138000\"," + ok + ",\"callerId\":\"x\\nAction: Hangup\"}", "callerId"));
        b.add(Arguments.of("unknown field", "{\"number\":\"+8613800138000\"," + ok + ",\"destinaton\":\"1\"}", "destinaton"));
        b.add(Arguments.of("metadata not strings", "{\"number\":\"+8613800138000\"," + ok + ",\"metadata\":{\"a\":1}}", "metadata"));
        b.add(Arguments.of("metadata over 4 KiB", "{\"number\":\"+8613800138000\"," + ok
                + ",\"metadata\":{\"blob\":\"" + "x".repeat(4100) + "\"}}", "metadata"));
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badInputIsRefusedNamingTheFieldAndNothingIsStored(String what, String body, String field) throws Exception {
        long before = stack.count("SELECT COUNT(*) FROM callbacks");

        HttpResponse<String> r = stack.post(stack.api(huibo) + "/v1/callbacks", body, Stack.TOKEN, Map.of());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonObject problem = new JsonObject(r.body());
        assertThat(problem.getInteger("status")).isEqualTo(400);
        assertThat(problem.getString("detail")).isNotBlank();
        if (field != null) {
            assertThat(problem.getString("field")).isEqualTo(field);
        }
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(before);
    }

    @Test
    void metadataOfExactly4KiBIsAccepted() throws Exception {
        // {"blob":"xxx..."} is 11 bytes of framing
        String body = new JsonObject().put("number", "+8613800138000").put("destination", "+8613900139000")
                .put("at", "2099-01-01T00:00:00Z")
                .put("metadata", new JsonObject().put("blob", "x".repeat(4096 - 11))).encode();
        HttpResponse<String> r = stack.post(stack.api(huibo) + "/v1/callbacks", body, Stack.TOKEN, Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonObject accepted = new JsonObject(r.body());
        assertThat(accepted.getString("state")).isEqualTo("queued");
        assertThat(accepted.getString("dueAt")).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE id='" + accepted.getString("id") + "'"))
                .isEqualTo(1);
    }

    @Test
    void missingOrWrongTokenIs401() throws Exception {
        String body = "{\"number\":\"+8613800138000\",\"destination\":\"+8613900139000\"}";
        long before = stack.count("SELECT COUNT(*) FROM callbacks");
        for (String token : new String[] {null, "wrong-token-wrong-token", ""}) {
            HttpResponse<String> r = stack.post(stack.api(huibo) + "/v1/callbacks", body, token, Map.of());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
        assertThat(stack.get(stack.api(huibo) + "/v1/callbacks/01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope").statusCode())
                .isEqualTo(401);
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(before);
    }

    @Test
    void aBodyWithoutAValidKeyIsNotReadAtAll() throws Exception {
        // over the body limit: read before the key is checked, it would be refused as too large (413)
        String big = "x".repeat(200 * 1024);
        HttpResponse<String> r = stack.post(stack.api(huibo) + "/v1/callbacks", big, "wrong-token-wrong-token", Map.of());
        assertThat(r.statusCode()).isEqualTo(401);
        // with a key, the same body is refused for its size: the limit still holds
        r = stack.post(stack.api(huibo) + "/v1/callbacks", big, Stack.TOKEN, Map.of());
        assertThat(r.statusCode()).isEqualTo(413);
        // and the API still answers on the same client
        assertThat(stack.get(stack.api(huibo) + "/v1/callbacks/01ARZ3NDEKTSV4RRFFQ69G5FAV", Stack.TOKEN).statusCode())
                .isEqualTo(404);
    }

    @Test
    void theConfigTokenIsNeverStored() throws Exception {
        // it is the bootstrap admin while no key exists, checked in memory: starting writes no key
        assertThat(stack.count("SELECT COUNT(*) FROM api_keys")).isZero();
        try (var c = stack.db(); var s = c.createStatement(); var rs = s.executeQuery("SELECT * FROM api_keys")) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= cols; i++) {
                    assertThat(String.valueOf(rs.getObject(i))).doesNotContain(Stack.TOKEN);
                }
            }
        }
    }

    @Test
    void unknownCallbackIs404AndHealthShowsTheDownNode() throws Exception {
        var r = stack.get(stack.api(huibo) + "/v1/callbacks/01ARZ3NDEKTSV4RRFFQ69G5FAV", Stack.TOKEN);
        assertThat(r.statusCode()).isEqualTo(404);
        var h = stack.get(stack.api(huibo) + "/health", null);
        assertThat(h.statusCode()).isEqualTo(503);
        JsonObject health = new JsonObject(h.body());
        assertThat(health.getJsonArray("nodes").getJsonObject(0).getString("id")).isEqualTo("down1");
        assertThat(health.getJsonArray("nodes").getJsonObject(0).getString("state")).isNotEqualTo("connected");
        assertThat(health.getJsonObject("redis").getString("status")).isEqualTo("up");
    }
}
