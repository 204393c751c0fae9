package io.huibo.guards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.huibo.Stack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, toll-fraud guards against real Redis, MariaDB, the simulator and Huibo processes: a premium-rate
 * destination refused with nothing stored, a limit shared by two instances, a rule changed after queuing
 * that blocks the callback undialed, the attempts per number per day, and the call duration limit the
 * simulator's Dial S() enforces; the trips show in /metrics.
 */
class GuardsIT {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final String CUSTOMER = "+8613800138000";
    private static final String AGENT = "+8613900139000";

    private Stack stack;
    private Stack.Proc sim;

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, """
                defaults:
                  talk: 20s
                """);
    }

    @AfterEach
    void down() throws Exception {
        stack.close();
    }

    /** Huibo with the guards as shipped (Stack relaxes them for the other ITs), then {@code extra}. */
    private Map<String, String> env(Map<String, String> extra) throws Exception {
        return env(sim, extra);
    }

    private Map<String, String> env(Stack.Proc simulator, Map<String, String> extra) throws Exception {
        Map<String, String> env = stack.huiboEnv(simulator, 10);
        env.keySet().removeIf(k -> k.startsWith("HUIBO_GUARDS_"));
        env.putAll(extra);
        return env;
    }

    private static String premiumCn() {
        return UTIL.format(UTIL.getExampleNumberForType("CN", PhoneNumberUtil.PhoneNumberType.PREMIUM_RATE),
                PhoneNumberUtil.PhoneNumberFormat.E164);
    }

    private HttpResponse<String> submit(Stack.Proc huibo, String number, String destination) throws Exception {
        return stack.post(stack.api(huibo) + "/v1/callbacks",
                new JsonObject().put("number", number).put("destination", destination).encode(), Stack.TOKEN, Map.of());
    }

    private double tripped(Stack.Proc huibo, String guard) throws Exception {
        HttpResponse<String> r = stack.get(stack.api(huibo) + "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^huibo_guard_tripped_total\\{guard=\"" + Pattern.quote(guard) + "\"[^}]*} (\\S+)$")
                .matcher(r.body());
        assertThat(m.find()).as("huibo_guard_tripped_total{guard=%s} in /metrics", guard).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aPremiumRateDestinationIsRefusedAndNothingIsStored() throws Exception {
        Stack.Proc huibo = stack.huibo(env(Map.of()));
        assertThat(tripped(huibo, "premium-rate")).isZero();

        HttpResponse<String> r = submit(huibo, CUSTOMER, premiumCn());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonObject p = new JsonObject(r.body());
        assertThat(p.getString("guard")).isEqualTo("premium-rate");
        assertThat(p.getString("field")).isEqualTo("destination");
        assertThat(p.getInteger("status")).isEqualTo(422);
        assertThat(p.getString("detail")).contains("premium-rate");
        // leg A is checked too: an international customer number
        HttpResponse<String> a = submit(huibo, "+4930123456", AGENT);
        assertThat(a.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(a.body()).getString("field")).isEqualTo("number");
        assertThat(new JsonObject(a.body()).getString("guard")).isEqualTo("international");

        HttpResponse<String> list = stack.get(stack.api(huibo) + "/v1/callbacks", Stack.TOKEN);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(list.body()).getJsonArray("items")).isEmpty();
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isZero();
        assertThat(tripped(huibo, "premium-rate")).isEqualTo(1.0);
        assertThat(tripped(huibo, "international")).isEqualTo(1.0);

        // a bulk row is refused alone, the others are stored
        HttpResponse<String> bulk = stack.post(stack.api(huibo) + "/v1/callbacks/bulk", new JsonArray()
                .add(new JsonObject().put("number", CUSTOMER).put("destination", "+881612345678"))
                .add(new JsonObject().put("number", "+8613800138001").put("destination", AGENT)).encode(),
                Stack.TOKEN, Map.of());
        assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
        JsonObject b = new JsonObject(bulk.body());
        assertThat(b.getInteger("accepted")).isEqualTo(1);
        assertThat(b.getInteger("rejected")).isEqualTo(1);
        JsonObject row = b.getJsonArray("results").getJsonObject(0).getJsonObject("problem");
        assertThat(row.getInteger("status")).isEqualTo(422);
        assertThat(row.getString("guard")).isEqualTo("satellite");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(1);
        assertThat(tripped(huibo, "satellite")).isEqualTo(1.0);
    }

    @Test
    void aNumbersLimitIsSharedByTwoInstances() throws Exception {
        Map<String, String> limits = Map.of("HUIBO_GUARDS_NUMBER_PER_MINUTE", "0", "HUIBO_GUARDS_NUMBER_PER_DAY", "3",
                "HUIBO_GUARDS_ATTEMPTS_PER_NUMBER_PER_DAY", "0");
        Stack.Proc a = stack.huibo(env(limits));
        Stack.Proc b = stack.huibo(env(limits));
        assertThat(submit(a, CUSTOMER, AGENT).statusCode()).isEqualTo(202);
        assertThat(submit(b, "+8613800138001", AGENT).statusCode()).isEqualTo(202);
        assertThat(submit(a, "+8613800138002", AGENT).statusCode()).as("the agent's 3rd request").isEqualTo(202);
        // the agent's number had three requests, over both instances: the fourth is refused by either
        for (Stack.Proc p : new Stack.Proc[]{b, a}) {
            HttpResponse<String> r = submit(p, "+8613800138003", AGENT);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
            long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
            long toMidnight = Duration.between(Instant.now(),
                    Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1))).toSeconds();
            assertThat(retry).as("seconds until the UTC day ends").isBetween(toMidnight - 5, toMidnight + 5);
            JsonObject p429 = new JsonObject(r.body());
            assertThat(p429.getString("guard")).isEqualTo("number-rate");
            assertThat(p429.getLong("retryAfter")).isEqualTo(retry);
        }
        // the customer number had only one: a refused request counted against nothing
        assertThat(submit(b, CUSTOMER, "+8613900139002").statusCode()).isEqualTo(202);
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(4);
        assertThat(tripped(a, "number-rate") + tripped(b, "number-rate")).isEqualTo(2.0);
    }

    @Test
    void aRuleChangedAfterQueuingBlocksTheCallbackUndialed() throws Exception {
        Stack.Proc first = stack.huibo(env(Map.of("HUIBO_GUARDS_ALLOW", "+4930")));
        String id = stack.submit(first, new JsonObject().put("number", CUSTOMER).put("destination", "+4930123456")
                .put("at", Instant.now().plusSeconds(4).toString()));
        first.terminate();
        assertThat(first.waitFor(Duration.ofSeconds(30))).isTrue();
        Stack.Proc next = stack.huibo(env(Map.of("HUIBO_GUARDS_ALLOW", "+4930", "HUIBO_GUARDS_DENY", "+493012")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                assertThat(stack.callback(next, id).getString("state")).isEqualTo("blocked"));
        JsonObject cb = stack.callback(next, id);
        assertThat(cb.getJsonArray("attempts")).isEmpty();
        assertThat(stack.simCallsOf(sim, id)).isEmpty();
        HttpResponse<String> events = stack.get(stack.api(next) + "/v1/callbacks/" + id + "/events", Stack.TOKEN);
        assertThat(events.body()).contains("blocked").contains("+493012");
        assertThat(tripped(next, "deny-prefix")).isEqualTo(1.0);
    }

    @Test
    void aConnectedCallIsHungUpAfterTheMaxDurationAndANumbersAttemptsPerDayAreCounted() throws Exception {
        Stack.Proc huibo = stack.huibo(env(Map.of("HUIBO_GUARDS_MAX_CALL_DURATION", "2s",
                "HUIBO_GUARDS_ATTEMPTS_PER_NUMBER_PER_DAY", "1")));
        String id = stack.submit(huibo, new JsonObject().put("number", CUSTOMER).put("destination", AGENT));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("completed"));
        JsonObject attempt = stack.callback(huibo, id).getJsonArray("attempts").getJsonObject(0);
        assertThat(attempt.getString("outcome")).isEqualTo("connected");
        Duration connected = Duration.between(Instant.parse(attempt.getString("answeredAt")),
                Instant.parse(attempt.getString("endedAt")));
        // the callees would talk 20 s: S(2) on the legs' Dial() hangs them up
        assertThat(connected).isLessThan(Duration.ofSeconds(6)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));

        // a second callback to the same customer today waits for the next UTC day, undialed
        String second = stack.submit(huibo, new JsonObject().put("number", CUSTOMER).put("destination", "+8613900139005"));
        Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
        // the schedule (Redis) holds it, due at the next day's start
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonObject q = new JsonObject(stack.get(stack.api(huibo) + "/v1/queue", Stack.TOKEN).body());
            assertThat(q.getInteger("waiting")).isEqualTo(1);
            assertThat(q.getInteger("dueNow")).isZero();
            assertThat(Instant.parse(q.getString("oldestDueAt"))).isAfterOrEqualTo(midnight.minusSeconds(2));
        });
        assertThat(stack.callback(huibo, second).getString("state")).isEqualTo("queued");
        assertThat(stack.callback(huibo, second).getJsonArray("attempts")).isEmpty();
        assertThat(tripped(huibo, "attempts-per-day")).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void redisDownIsA503AndNothingIsStored() throws Exception {
        try (io.huibo.TcpProxy redis = new io.huibo.TcpProxy("127.0.0.1", 6379)) {
            Stack.Proc huibo = stack.huibo(env(Map.of("HUIBO_REDIS_URI", "redis://127.0.0.1:" + redis.port())));
            assertThat(submit(huibo, CUSTOMER, AGENT).statusCode()).isEqualTo(202);
            redis.cut();
            HttpResponse<String> r = submit(huibo, "+8613800138009", AGENT);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("toll-fraud limits");
            // refused before MariaDB: without the guard the row would be stored, then Redis would fail
            assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(1);
            redis.restore();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(submit(huibo, "+8613800138009", "+8613900139009").statusCode()).isEqualTo(202));
        }
    }

    private HttpResponse<String> submitWith(Stack.Proc huibo, String token, String number, String destination)
            throws Exception {
        return stack.post(stack.api(huibo) + "/v1/callbacks",
                new JsonObject().put("number", number).put("destination", destination).encode(), token, Map.of());
    }

    @Test
    void aKeysOwnEntriesAndLimitsApplyToItsRequests() throws Exception {
        Stack.Proc huibo = stack.huibo(env(Map.of("HUIBO_GUARDS_KEY_PER_MINUTE", "3",
                "HUIBO_GUARDS_NUMBER_PER_MINUTE", "0", "HUIBO_GUARDS_NUMBER_PER_DAY", "0")));
        // the config token makes the first key; once one exists it is refused
        JsonObject admin = new JsonObject(stack.post(stack.api(huibo) + "/v1/keys", new JsonObject().put("name", "ops")
                .put("scopes", new JsonArray().add("admin").add("callbacks:write").add("callbacks:read")).encode(),
                Stack.TOKEN, Map.of()).body());
        String adminToken = admin.getString("token");
        HttpResponse<String> made = stack.post(stack.api(huibo) + "/v1/keys", new JsonObject().put("name", "uk desk")
                .put("scopes", new JsonArray().add("callbacks:write").add("callbacks:read"))
                .put("allow", new JsonArray().add("+44")).put("deny", new JsonArray().add("+8613900")).encode(),
                adminToken, Map.of());
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonObject uk = new JsonObject(made.body());
        assertThat(uk.getJsonArray("allow")).containsExactly("+44");
        assertThat(uk.getJsonArray("deny")).containsExactly("+8613900");
        HttpResponse<String> bad = stack.post(stack.api(huibo) + "/v1/keys", new JsonObject().put("name", "x")
                .put("scopes", new JsonArray().add("admin")).put("allow", new JsonArray().add("+44 ")
                        .add("everything")).encode(), adminToken, Map.of());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(bad.body()).getString("field")).isEqualTo("allow");
        String ukToken = uk.getString("token");
        // the key's requests below are counted in one minute's window: not across a minute's end
        long second = Instant.now().getEpochSecond() % 60;
        if (second > 40) {
            Thread.sleep((61 - second) * 1000);
        }
        assertThat(submitWith(huibo, ukToken, CUSTOMER, "+442071234567").statusCode()).isEqualTo(202);
        HttpResponse<String> denied = submitWith(huibo, ukToken, CUSTOMER, "+8613900139000");
        assertThat(denied.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(denied.body()).getString("guard")).isEqualTo("deny-prefix");
        // another key has only the configured rules
        HttpResponse<String> other = submitWith(huibo, adminToken, CUSTOMER, "+442071234567");
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(other.body()).getString("guard")).isEqualTo("international");

        // the entries change over PATCH (a field left out is kept)
        HttpResponse<String> patched = stack.send(huibo, "PATCH", "/v1/keys/" + uk.getString("keyId"),
                new JsonObject().put("allow", new JsonArray()).encode());
        assertThat(patched.statusCode()).isEqualTo(401); // Stack.send uses the config token, refused once keys exist
        HttpResponse<String> p2 = patch(huibo, adminToken, uk.getString("keyId"), new JsonObject().put("allow", new JsonArray()));
        assertThat(p2.statusCode()).as(p2.body()).isEqualTo(200);
        assertThat(new JsonObject(p2.body()).getJsonArray("allow")).isEmpty();
        assertThat(new JsonObject(p2.body()).getJsonArray("deny")).containsExactly("+8613900");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(submitWith(huibo, ukToken, CUSTOMER, "+442071234568").statusCode()).isEqualTo(422));

        // keyPerMinute 3: the uk key has 1 request counted (refused ones count against nothing)
        int accepted = 1;
        HttpResponse<String> r;
        int n = 0;
        do {
            r = submitWith(huibo, ukToken, "+861380013810" + n, "+8613800138100");
            n++;
            if (r.statusCode() == 202) {
                accepted++;
            }
        } while (r.statusCode() == 202 && n < 5);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(accepted).isEqualTo(3);
        assertThat(new JsonObject(r.body()).getString("guard")).isEqualTo("key-rate");
        long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retry).isBetween(1L, 60L);
        assertThat(tripped(huibo, "key-rate")).isEqualTo(1.0);
    }

    private HttpResponse<String> patch(Stack.Proc huibo, String token, String keyId, JsonObject body) throws Exception {
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.api(huibo) + "/v1/keys/" + keyId))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(body.encode())).build();
        return java.net.http.HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDialinIsRefusedByTheRulesAndTheLimitsWithNothingStored() throws Exception {
        Map<String, String> probe = stack.huiboEnv(null, 10);
        Stack.Proc dialinSim = stack.sim(1, 10, null, "--dialin-agi", "127.0.0.1:" + probe.get("HUIBO_AGI_PORT"));
        Map<String, String> env = env(dialinSim, Map.of("HUIBO_GUARDS_NUMBER_PER_DAY", "1"));
        env.put("HUIBO_AGI_PORT", probe.get("HUIBO_AGI_PORT"));
        Stack.Proc huibo = stack.huibo(env);
        String premiumCaller = "+8613700000051";
        assertThat(stack.send(huibo, "PUT", "/v1/dialin/callers/" + premiumCaller.replace("+", "%2B"),
                new JsonObject().put("destination", premiumCn()).encode()).statusCode()).isEqualTo(200);
        JsonObject refused = new JsonObject(stack.simDialin(dialinSim, new JsonObject().put("caller", premiumCaller)
                .put("access", "5000").encode()).body());
        assertThat(refused.getString("huiboResult")).isEqualTo("refused");
        assertThat(refused.getBoolean("answered")).isFalse();
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isZero();
        assertThat(tripped(huibo, "premium-rate")).isEqualTo(1.0);

        // one request per number and day: the agent's number is used up by a first caller's registration
        for (String caller : new String[]{"+8613700000052", "+8613700000053"}) {
            assertThat(stack.send(huibo, "PUT", "/v1/dialin/callers/" + caller.replace("+", "%2B"),
                    new JsonObject().put("destination", AGENT).encode()).statusCode()).isEqualTo(200);
        }
        JsonObject first = new JsonObject(stack.simDialin(dialinSim, new JsonObject().put("caller", "+8613700000052")
                .put("access", "5000").encode()).body());
        assertThat(first.getString("huiboResult")).isEqualTo("queued");
        JsonObject second = new JsonObject(stack.simDialin(dialinSim, new JsonObject().put("caller", "+8613700000053")
                .put("access", "5000").encode()).body());
        assertThat(second.getString("huiboResult")).isEqualTo("refused");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(1);
        assertThat(tripped(huibo, "number-rate")).isEqualTo(1.0);
    }
}
