package io.huibo.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GET /v1/events on two instances sharing MariaDB and Redis, on the simulator: a callback's whole life
 * (created, each state change, each attempt result) seen from the instance that did not take the
 * request, and a stream cut in the middle of that life resumed with Last-Event-ID, on the other
 * instance, with nothing lost or repeated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsIT {
    private static final String BUSY_THEN_ANSWER = "+8613800000116";
    private static final String OTHER = "+8613800000117";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Stack stack;
    private Stack.Proc a;
    private Stack.Proc b;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Stack.Proc sim = stack.sim(2, 10, """
                numbers:
                  "%s":
                    outcomes: [busy, answer]
                  "%s":
                    outcomes: [answer]
                """.formatted(BUSY_THEN_ANSWER, OTHER));
        Map<String, String> envA = stack.huiboEnv(sim, 10);
        envA.put("HUIBO_EVENTS_HEARTBEAT", "500ms");
        a = stack.huibo(envA);
        b = stack.huibo(stack.huiboEnv(sim, 10));
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private String events(Stack.Proc on, String number) {
        return stack.api(on) + "/v1/events?number=" + URLEncoder.encode(number, StandardCharsets.UTF_8);
    }

    /** Frames until the one that moves the callback to {@code state} (inclusive), or until {@code max}. */
    private static List<SseClient.Frame> until(SseClient c, String state, int max) throws InterruptedException {
        List<SseClient.Frame> out = new ArrayList<>();
        while (out.size() < max) {
            SseClient.Frame f = c.next(WAIT);
            assertThat(f).as("an event within %s after %s", WAIT, out).isNotNull();
            out.add(f);
            if (state != null && state.equals(f.data().getString("to"))) {
                break;
            }
        }
        return out;
    }

    private List<Long> storedIds(String callbackId) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (var c = stack.db(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM callback_events WHERE callback_id = ? ORDER BY id")) {
            ps.setString(1, callbackId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    @Test
    void wholeLifeFromEveryInstanceAndResumedAfterAReconnect() throws Exception {
        try (SseClient whole = new SseClient(events(a, BUSY_THEN_ANSWER), null);
             SseClient cut = new SseClient(events(b, BUSY_THEN_ANSWER), null)) {
            assertThat(whole.status).isEqualTo(200);
            assertThat(whole.headers.firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            // submitted to B: A sees what B wrote
            String id = stack.submit(b, new JsonObject().put("number", BUSY_THEN_ANSWER)
                    .put("destination", "+8613900139116").put("maxAttempts", 3));
            String other = stack.submit(a, new JsonObject().put("number", OTHER).put("destination", "+8613900139000"));

            List<SseClient.Frame> life = until(whole, "completed", 20);
            List<String> shape = life.stream().map(f -> f.event().equals("attempt")
                    ? "attempt " + f.data().getInteger("attempt") + " " + f.data().getString("outcome")
                    : f.data().getString("from") + "->" + f.data().getString("to")).toList();
            assertThat(shape).containsExactly("null->queued", "queued->dialing", "attempt 1 busy", "dialing->queued",
                    "queued->dialing", "attempt 2 connected", "dialing->completed");
            assertThat(life).allSatisfy(f -> {
                assertThat(f.data().getString("callbackId")).isEqualTo(id);
                assertThat(f.data().getString("number")).isEqualTo(BUSY_THEN_ANSWER);
                assertThat(f.data().getLong("id")).isEqualTo(f.id());
            });
            SseClient.Frame busy = life.get(2);
            assertThat(busy.data().getString("failedLeg")).isEqualTo("a");
            assertThat(busy.data().getInteger("hangupCause")).isEqualTo(17);
            assertThat(busy.data().getString("node")).startsWith("sim");
            assertThat(life.stream().map(SseClient.Frame::id).toList()).isEqualTo(storedIds(id));

            // the second client read the first three events on B, then lost its connection ...
            List<SseClient.Frame> before = until(cut, null, 3);
            cut.close();
            // ... and reconnects to A with the last id it saw
            long last = before.get(before.size() - 1).id();
            try (SseClient resumed = new SseClient(events(a, BUSY_THEN_ANSWER), last)) {
                List<SseClient.Frame> after = until(resumed, "completed", 20);
                List<Long> seen = new ArrayList<>();
                before.forEach(f -> seen.add(f.id()));
                after.forEach(f -> seen.add(f.id()));
                assertThat(seen).as("nothing lost, nothing repeated").isEqualTo(storedIds(id));
                assertThat(resumed.next(Duration.ofSeconds(1))).as("the other number's events are filtered out").isNull();
            }
            assertThat(storedIds(other)).isNotEmpty();
            assertThat(whole.next(Duration.ofMillis(500))).isNull();
            assertThat(whole.heartbeats).as("heartbeats keep an idle stream open").isGreaterThan(0);
        }
    }

    @Test
    void filteredByCallbackIdFromTheStart() throws Exception {
        // not the other test's destination: that callback may still be active (deduplication)
        String id = stack.submit(a, new JsonObject().put("number", OTHER).put("destination", "+8613900139121"));
        // after=0: every stored event of this callback, then live ones
        try (SseClient c = new SseClient(stack.api(b) + "/v1/events?after=0&callback=" + id, null)) {
            List<SseClient.Frame> life = until(c, "completed", 20);
            assertThat(life.get(0).data().getString("to")).isEqualTo("queued");
            assertThat(life).allSatisfy(f -> assertThat(f.data().getString("callbackId")).isEqualTo(id));
            assertThat(life.stream().map(SseClient.Frame::id).toList()).isEqualTo(storedIds(id));
        }
    }

    @Test
    void badParametersAre400() throws Exception {
        assertThat(stack.get(stack.api(a) + "/v1/events?callback=nope", Stack.TOKEN).statusCode()).isEqualTo(400);
        assertThat(stack.get(stack.api(a) + "/v1/events?number=abc", Stack.TOKEN).statusCode()).isEqualTo(400);
        assertThat(stack.get(stack.api(a) + "/v1/events?after=-5", Stack.TOKEN).statusCode()).isEqualTo(400);
        assertThat(stack.get(stack.api(a) + "/v1/events", null).statusCode()).isEqualTo(401);
    }
}
