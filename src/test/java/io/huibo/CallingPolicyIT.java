package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Retry profiles, calling windows and quiet hours end to end: a real Huibo process with calling
 * profiles in its config file, the simulator as the PBX, real Redis and MariaDB.
 *
 * <p>Huibo's clock cannot be moved from here (another process), so the quiet-hours profile opens its
 * window at a minute computed before the start, in the Chinese numbers' zone (Asia/Shanghai, from
 * libphonenumber), at least 45 s ahead; the callback submitted at once waits for it in the queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallingPolicyIT {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    /** Busy twice, answered the third time. */
    private static final String BUSY_BUSY_ANSWER = "+8613800000026";
    /** Always busy (the simulator: last digit 7). */
    private static final String ALWAYS_BUSY = "+8613800000037";
    private static final String SCENARIO = """
            numbers:
              "%s":
                outcomes: [busy, busy, answer]
            """.formatted(BUSY_BUSY_ANSWER);

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;
    /** When the quiet-hours profile's window opens. */
    private Instant opens;
    private String waiting;
    private Instant waitingSubmitted;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, SCENARIO);
        opens = Instant.now().plusSeconds(45).truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        ZonedDateTime local = opens.atZone(SHANGHAI);
        int start = local.getHour() * 60 + local.getMinute();
        int end = Math.min(1440, start + 10);
        String window = hhmm(start) + "-" + hhmm(end);
        Path config = stack.writeFile("calling.yaml", """
                calling:
                  defaultProfile: default
                  profiles:
                    quick:
                      retry:
                        busy: {first: 1s, multiplier: 2, cap: 10s}
                    slow:
                      retry:
                        busy: {first: 5s}
                    office:
                      quietHours:
                        allowed:
                          mon-sun: "%s"
                """.formatted(window));
        huibo = stack.huibo(stack.huiboEnv(sim, 10), config);
        // submitted at once: the longer it waits, the more the other tests run meanwhile
        waitingSubmitted = Instant.now();
        waiting = stack.submit(huibo, new JsonObject().put("number", "+8613800138055").put("destination", "8001")
                .put("profile", "office"));
    }

    private static String hhmm(int minuteOfDay) {
        return minuteOfDay == 1440 ? "24:00" : "%02d:%02d".formatted(minuteOfDay / 60, minuteOfDay % 60);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private JsonObject waitForState(String id, String state, Duration atMost) {
        JsonObject[] last = new JsonObject[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = stack.callback(huibo, id);
            assertThat(last[0].getString("state")).isEqualTo(state);
        });
        return last[0];
    }

    private static Instant at(JsonArray attempts, int i, String field) {
        return Instant.parse(attempts.getJsonObject(i).getString(field));
    }

    @Test
    @Order(1)
    void busyIsRetriedWithTheProfilesGrowingDelaysThenAnswered() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", BUSY_BUSY_ANSWER).put("destination", "8002")
                .put("profile", "quick").put("maxAttempts", 5));

        JsonObject cb = waitForState(id, "completed", Duration.ofSeconds(30));

        assertThat(cb.getString("profile")).isEqualTo("quick");
        JsonArray attempts = cb.getJsonArray("attempts");
        assertThat(attempts).hasSize(3);
        assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("busy");
        assertThat(attempts.getJsonObject(1).getString("outcome")).isEqualTo("busy");
        assertThat(attempts.getJsonObject(2).getString("outcome")).isEqualTo("connected");
        // quick: 1 s after the first busy, then 2 s (doubled) after the second
        Duration first = Duration.between(at(attempts, 0, "endedAt"), at(attempts, 1, "startedAt"));
        Duration second = Duration.between(at(attempts, 1, "endedAt"), at(attempts, 2, "startedAt"));
        assertThat(first).isBetween(Duration.ofMillis(900), Duration.ofMillis(1800));
        assertThat(second).isBetween(Duration.ofMillis(1900), Duration.ofMillis(2900));
        assertThat(stack.simCallsOf(sim, id)).hasSize(3);
    }

    @Test
    @Order(2)
    void aRetryThatWouldFallPastNotAfterEndsExpired() throws Exception {
        Instant notAfter = Instant.now().plusSeconds(3);
        String id = stack.submit(huibo, new JsonObject().put("number", ALWAYS_BUSY).put("destination", "8003")
                .put("profile", "slow").put("maxAttempts", 5).put("notAfter", notAfter.toString()));

        JsonObject cb = waitForState(id, "expired", Duration.ofSeconds(20));

        // one busy attempt; the next (5 s later) would be past notAfter
        assertThat(cb.getJsonArray("attempts")).hasSize(1);
        assertThat(cb.getString("notAfter")).isEqualTo(notAfter.truncatedTo(ChronoUnit.MILLIS).toString());
        assertThat(cb.getValue("position")).isNull();
        HttpResponse<String> events = stack.get(stack.api(huibo) + "/v1/callbacks/" + id + "/events", Stack.TOKEN);
        assertThat(events.body()).contains("expired").contains("notAfter");
    }

    @Test
    @Order(3)
    void aCallbackNotDialableInItsWindowEndsExpiredUndialed() throws Exception {
        // due in the office profile's quiet hours, with a notAfter before the window opens
        Instant notAfter = opens.minusSeconds(1);
        org.junit.jupiter.api.Assumptions.assumeTrue(Instant.now().plusSeconds(2).isBefore(notAfter),
                "the window opened already (a slow start)");
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800138056").put("destination", "8004")
                .put("profile", "office").put("notAfter", notAfter.toString()));

        JsonObject cb = waitForState(id, "expired", Duration.ofSeconds(10));

        assertThat(cb.getJsonArray("attempts")).isEmpty();
        assertThat(stack.simCallsOf(sim, id)).isEmpty();
        HttpResponse<String> events = stack.get(stack.api(huibo) + "/v1/callbacks/" + id + "/events", Stack.TOKEN);
        assertThat(events.body()).contains("quiet hours").contains("Asia/Shanghai");
    }

    @Test
    @Order(4)
    void badCallingFieldsAre400AndNothingIsStored() throws Exception {
        long before = stack.count("SELECT COUNT(*) FROM callbacks");
        for (JsonObject bad : new JsonObject[] {
                new JsonObject().put("number", "+8613800138057").put("destination", "8005").put("profile", "nosuch"),
                new JsonObject().put("number", "+8613800138057").put("destination", "8005").put("timeZone", "Mars/Base"),
        }) {
            HttpResponse<String> r = stack.post(stack.api(huibo) + "/v1/callbacks", bad.encode(), Stack.TOKEN, Map.of());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        }
        HttpResponse<String> unknown = stack.post(stack.api(huibo) + "/v1/callbacks", new JsonObject()
                .put("number", "+8613800138057").put("destination", "8005").put("profile", "nosuch").encode(),
                Stack.TOKEN, Map.of());
        assertThat(new JsonObject(unknown.body()).getString("detail")).contains("nosuch").contains("quick");
        // a bulk row naming an unknown profile is refused on its own
        HttpResponse<String> bulk = stack.post(stack.api(huibo) + "/v1/callbacks/bulk", new JsonArray()
                .add(new JsonObject().put("number", "+8613800138058").put("destination", "8006").put("profile", "nosuch")
                        .put("at", Instant.now().plusSeconds(3600).toString()))
                .add(new JsonObject().put("number", "+8613800138059").put("destination", "8006").put("profile", "slow")
                        .put("at", Instant.now().plusSeconds(3600).toString())).encode(),
                Stack.TOKEN, Map.of());
        JsonArray results = new JsonObject(bulk.body()).getJsonArray("results");
        assertThat(results.getJsonObject(0).getString("id")).isNull();
        String stored = results.getJsonObject(1).getString("id");
        assertThat(stored).isNotNull();
        assertThat(stack.callback(huibo, stored).getString("profile")).isEqualTo("slow");
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(before + 1);
        assertThat(stack.delete(stack.api(huibo) + "/v1/callbacks/" + stored, Stack.TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void queuedCallbacksShowTheirPositionAndEta() throws Exception {
        Instant later = Instant.now().plusSeconds(3600);
        String[] ids = new String[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = stack.submit(huibo, new JsonObject().put("number", "+861380013806" + i).put("destination", "8007")
                    .put("at", later.plusMillis(i).toString()));
        }
        JsonObject[] cbs = new JsonObject[3];
        for (int i = 0; i < 3; i++) {
            cbs[i] = stack.callback(huibo, ids[i]);
            assertThat(cbs[i].getString("profile")).isEqualTo("default");
        }
        long p0 = cbs[0].getLong("position");
        assertThat(cbs[1].getLong("position")).isEqualTo(p0 + 1);
        assertThat(cbs[2].getLong("position")).isEqualTo(p0 + 2);
        // not before its due time
        assertThat(Instant.parse(cbs[0].getString("eta"))).isAfterOrEqualTo(later.truncatedTo(ChronoUnit.MILLIS));
        for (String id : ids) {
            assertThat(stack.delete(stack.api(huibo) + "/v1/callbacks/" + id, Stack.TOKEN).statusCode()).isEqualTo(200);
            assertThat(stack.callback(huibo, id).getValue("position")).isNull();
        }
    }

    @Test
    @Order(6)
    void aCallbackDueInQuietHoursWaitsAndIsDialedWhenTheWindowOpens() throws Exception {
        // it waits in the queue (no attempt), its ETA no earlier than the window
        JsonObject queued = stack.callback(huibo, waiting);
        if (Instant.now().isBefore(opens.minusSeconds(2))) {
            assertThat(queued.getString("state")).isEqualTo("queued");
            assertThat(queued.getJsonArray("attempts")).isEmpty();
            assertThat(queued.getValue("position")).isNotNull();
            assertThat(Instant.parse(queued.getString("eta"))).isAfterOrEqualTo(opens);
        }
        assertThat(waitingSubmitted).isBefore(opens);

        JsonObject cb = waitForState(waiting, "completed", Duration.between(Instant.now(), opens).plusSeconds(30));

        Instant started = at(cb.getJsonArray("attempts"), 0, "startedAt");
        assertThat(started).isBetween(opens, opens.plusSeconds(3));
        assertThat(cb.getJsonArray("attempts")).hasSize(1);
    }

    @Test
    @Order(7)
    void aKeysDefaultProfileServesItsCallbacks() throws Exception {
        // the first key ends the config token's bootstrap admin: this runs last
        HttpResponse<String> refused = stack.post(stack.api(huibo) + "/v1/keys", new JsonObject().put("name", "bad")
                .put("scopes", new JsonArray().add("admin")).put("profile", "nosuch").encode(), Stack.TOKEN, Map.of());
        assertThat(refused.statusCode()).isEqualTo(400);
        HttpResponse<String> created = stack.post(stack.api(huibo) + "/v1/keys", new JsonObject().put("name", "crm")
                .put("scopes", new JsonArray().add("callbacks:write").add("callbacks:read")).put("profile", "slow")
                .encode(), Stack.TOKEN, Map.of());
        assertThat(created.statusCode()).isEqualTo(201);
        JsonObject key = new JsonObject(created.body());
        assertThat(key.getString("profile")).isEqualTo("slow");
        String token = key.getString("token");
        HttpResponse<String> submitted = stack.post(stack.api(huibo) + "/v1/callbacks", new JsonObject()
                .put("number", "+8613800138070").put("destination", "8008")
                .put("at", Instant.now().plusSeconds(3600).toString()).encode(), token, Map.of());
        assertThat(submitted.statusCode()).isEqualTo(202);
        String id = new JsonObject(submitted.body()).getString("id");
        HttpResponse<String> shown = stack.get(stack.api(huibo) + "/v1/callbacks/" + id, token);
        assertThat(new JsonObject(shown.body()).getString("profile")).isEqualTo("slow");
        // a request's own profile wins over the key's
        HttpResponse<String> own = stack.post(stack.api(huibo) + "/v1/callbacks", new JsonObject()
                .put("number", "+8613800138071").put("destination", "8008").put("profile", "quick")
                .put("at", Instant.now().plusSeconds(3600).toString()).encode(), token, Map.of());
        String ownId = new JsonObject(own.body()).getString("id");
        assertThat(new JsonObject(stack.get(stack.api(huibo) + "/v1/callbacks/" + ownId, token).body())
                .getString("profile")).isEqualTo("quick");
    }
}
