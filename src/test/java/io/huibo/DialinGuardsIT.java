package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dial-in guards (config dialinGuards) end to end: the simulator plays callers through [huibo-dialin],
 * and a raw FastAGI client plays what anything on the allowlist could send. Access number 5000 only, two
 * wrong PINs lock a caller out for an hour, a stored destination holds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DialinGuardsIT {

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;
    private int agiPort;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Map<String, String> probe = stack.huiboEnv(null, 10);
        agiPort = Integer.parseInt(probe.get("HUIBO_AGI_PORT"));
        sim = stack.sim(1, 10, null, "--dialin-agi", "127.0.0.1:" + agiPort);
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_AGI_PORT", probe.get("HUIBO_AGI_PORT"));
        env.put("HUIBO_DIALIN_GUARDS_ACCESS_NUMBERS", "5000");
        env.put("HUIBO_DIALIN_GUARDS_MAX_WRONG_PINS", "2");
        env.put("HUIBO_DIALIN_GUARDS_PIN_WINDOW", "10m");
        env.put("HUIBO_DIALIN_GUARDS_LOCKOUT", "1h");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private void putCaller(String number, JsonObject body) throws Exception {
        HttpResponse<String> r = stack.send(huibo, "PUT", "/v1/dialin/callers/" + number.replace("+", "%2B"),
                body.encode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private JsonObject dialin(JsonObject call) throws Exception {
        HttpResponse<String> r = stack.simDialin(sim, call.encode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private long metric(String name) throws Exception {
        String body = stack.get(stack.api(huibo) + "/metrics", Stack.TOKEN).body();
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * One FastAGI session as a peer on the allowlist could open it: the request, then "200 result=1" to every
     * command (GET VARIABLE: unset). Returns the commands Huibo sent.
     */
    private List<String> agi(String script, String extension, String caller, String... args) throws Exception {
        StringBuilder env = new StringBuilder();
        env.append("agi_network: yes\nagi_network_script: ").append(script).append('\n')
                .append("agi_request: agi://127.0.0.1/").append(script).append('\n')
                .append("agi_channel: PJSIP/raw-00000001\nagi_callerid: ").append(caller).append('\n')
                .append("agi_context: huibo-dialin\nagi_extension: ").append(extension).append('\n');
        for (int i = 0; i < args.length; i++) {
            env.append("agi_arg_").append(i + 1).append(": ").append(args[i]).append('\n');
        }
        env.append('\n');
        List<String> commands = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", agiPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(env.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            try {
                while ((line = in.readLine()) != null) {
                    commands.add(line);
                    out.write((line.startsWith("GET VARIABLE") ? "200 result=0\n" : "200 result=1\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (SocketTimeoutException e) {
                // Huibo keeps the session open for the dialplan's next AGI: the commands are all in
            }
        }
        return commands;
    }

    @Test
    void aNumberThatIsNotAnAccessNumberIsRefusedBeforeTheCallerIsLookedAt() throws Exception {
        String caller = "+8613700000051";
        putCaller(caller, new JsonObject().put("destination", "+8613900000051"));
        long before = metric("huibo_dialin_refused_access_total");

        JsonObject res = dialin(new JsonObject().put("caller", caller).put("access", "6000"));
        assertThat(res.getString("huiboResult")).as(res.encode()).isEqualTo("refused");
        assertThat(res.getString("result")).isEqualTo("rejected");
        assertThat(res.getBoolean("answered")).isFalse();
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + caller + "'")).isZero();
        assertThat(metric("huibo_dialin_refused_access_total")).isEqualTo(before + 1);
        // every step is checked, not only the first
        assertThat(agi("dialin?access=5000&step=destination", "6000", caller, "0301234567"))
                .contains("SET VARIABLE HUIBO_ERROR \"access-number\"");

        // the configured access number works for the same caller
        JsonObject ok = dialin(new JsonObject().put("caller", caller).put("access", "5000"));
        assertThat(ok.getString("huiboResult")).as(ok.encode()).isEqualTo("queued");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + caller + "'")).isEqualTo(1);
    }

    @Test
    void afterTwoWrongPinsTheCallerIsLockedOutEvenWithTheRightPin() throws Exception {
        String caller = "+8613700000052";
        putCaller(caller, new JsonObject().put("destination", "+8613900000052").put("pin", "2468"));
        long before = metric("huibo_dialin_lockouts_total");

        for (String wrong : List.of("1357", "9999")) {
            JsonObject r = dialin(new JsonObject().put("caller", caller).put("access", "5000").put("pin", wrong));
            assertThat(r.getString("huiboResult")).as(r.encode()).isEqualTo("refused");
            assertThat(r.getBoolean("answered")).as("answered to read the PIN").isTrue();
        }
        // locked: not even asked for the PIN (refused unanswered), though it would be right
        JsonObject locked = dialin(new JsonObject().put("caller", caller).put("access", "5000").put("pin", "2468"));
        assertThat(locked.getString("huiboResult")).as(locked.encode()).isEqualTo("refused");
        assertThat(locked.getBoolean("answered")).isFalse();
        // the PIN step with the right PIN (as an argument, like older dialplans) is refused as well
        assertThat(agi("dialin?access=5000&step=pin", "5000", caller, "2468"))
                .contains("SET VARIABLE HUIBO_ERROR \"locked-out\"");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + caller + "'")).isZero();

        // counted and logged once, and held in Redis (every instance sees it) for the configured hour
        assertThat(metric("huibo_dialin_lockouts_total")).isEqualTo(before + 1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(String.join("\n", huibo.output()))
                .contains("locked out for PT1H after 2 wrong PINs"));
        RedisClient client = RedisClient.create(System.getenv().getOrDefault("HUIBO_REDIS_URI", "redis://127.0.0.1:6379"));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            long ttl = c.sync().pttl("{" + stack.redisPrefix + "}:dialin:pinlock:" + caller);
            assertThat(ttl).isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis());
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aStoredDestinationCannotBeReplacedByKeyedDigits() throws Exception {
        String caller = "+8613700000053";
        putCaller(caller, new JsonObject().put("destination", "+8613900000053"));

        // straight to the destination step, as a peer on the FastAGI allowlist could
        assertThat(agi("dialin?access=5000&step=destination", "5000", caller, "0301234567"))
                .contains("SET VARIABLE HUIBO_RESULT \"refused\"", "SET VARIABLE HUIBO_ERROR \"fixed-destination\"");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + caller + "'")).isZero();

        // through the dialplan, digits the caller keys are not asked for: the stored destination is called
        JsonObject r = dialin(new JsonObject().put("caller", caller).put("access", "5000").put("keys", "0301234567"));
        assertThat(r.getString("huiboResult")).as(r.encode()).isEqualTo("queued");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stack.count(
                "SELECT COUNT(*) FROM callbacks WHERE number = '" + caller + "' AND destination = '+8613900000053'"))
                .isEqualTo(1));
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE destination = '0301234567'")).isZero();
    }
}
