package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three Huibo processes share four simulated Asterisk nodes (10 channels each) and 1,000 callbacks with
 * mixed outcomes, while a node is drained, an instance is killed -9, a node is killed and restarted and
 * another goes silent. Every callback must end as its number's behaviour says, no node may exceed its
 * channels, and no attempt may be dialed twice.
 */
class ClusterIT {
    private static final int CALLBACKS = 1000;
    private static final int MAX_ATTEMPTS = 3;

    private Stack stack;
    private Stack.Proc sim;
    private final List<Stack.Proc> huibos = new ArrayList<>();

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(4, 10, null);
        for (int i = 0; i < 3; i++) {
            huibos.add(stack.huibo(stack.huiboEnv(sim, 10)));
        }
    }

    @AfterEach
    void down() throws Exception {
        stack.close();
    }

    private JsonArray nodes(Stack.Proc huibo) throws Exception {
        var r = stack.get(stack.api(huibo) + "/v1/nodes", Stack.TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        return new JsonArray(r.body());
    }

    private JsonObject node(JsonArray nodes, String id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (id.equals(nodes.getJsonObject(i).getString("id"))) {
                return nodes.getJsonObject(i);
            }
        }
        throw new AssertionError("no node " + id + " in " + nodes);
    }

    private JsonObject simNode(String id) throws Exception {
        JsonArray a = stack.simNodes(sim);
        for (int i = 0; i < a.size(); i++) {
            if (id.equals(a.getJsonObject(i).getString("id"))) {
                return a.getJsonObject(i);
            }
        }
        throw new AssertionError("no sim node " + id);
    }

    private void simOp(String node, String op) throws Exception {
        var r = stack.post("http://127.0.0.1:" + sim.port("control") + "/nodes/" + node + "/" + op, "", null, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    /** What a number ending in this digit does in the simulator. */
    private static String expectedOutcome(char last) {
        return switch (last) {
            case '7' -> "busy";
            case '8' -> "no_answer";
            case '9' -> "congestion";
            default -> "connected";
        };
    }

    @Test
    void threeInstancesFourNodesThousandCallbacksThroughFailures() throws Exception {
        // the nodes spread over the three instances (2/1/1), each driven by exactly one
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonArray n = nodes(huibos.get(2));
            Map<String, Integer> perOwner = new HashMap<>();
            for (int i = 0; i < n.size(); i++) {
                JsonObject o = n.getJsonObject(i);
                assertThat(o.getString("owner")).isNotNull();
                assertThat(o.getString("state")).isEqualTo("connected");
                perOwner.merge(o.getString("owner"), 1, Integer::sum);
            }
            assertThat(perOwner.values()).containsExactlyInAnyOrder(2, 1, 1);
        });

        // 1,000 callbacks through all three instances
        List<String> ids = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> sent = new ArrayList<>();
            for (int i = 0; i < CALLBACKS; i++) {
                Stack.Proc via = huibos.get(i % 3);
                JsonObject body = new JsonObject().put("number", String.format("+861380%06d", i))
                        .put("destination", "+8613900139000").put("maxAttempts", MAX_ATTEMPTS);
                String key = "cluster-it-" + i;
                sent.add(pool.submit(() -> submitWithRetry(via, body, key)));
            }
            for (Future<String> f : sent) {
                ids.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        // drain sim4: its calls finish, and it gets no new ones whoever owns it
        var drained = stack.post(stack.api(huibos.get(1)) + "/v1/nodes/sim4/drain", "", Stack.TOKEN, Map.of());
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(drained.body()).getBoolean("draining")).isTrue();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> simNode("sim4").getInteger("active") == 0);
        long drainedOriginates = simNode("sim4").getLong("originates");

        // kill -9 of the instance that owns the most nodes: its nodes are taken over within 10 s
        JsonArray before = nodes(huibos.get(1));
        Map<String, List<String>> owned = new HashMap<>();
        for (int i = 0; i < before.size(); i++) {
            owned.computeIfAbsent(before.getJsonObject(i).getString("owner"), k -> new ArrayList<>())
                    .add(before.getJsonObject(i).getString("id"));
        }
        String victimOwner = owned.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size()))
                .orElseThrow().getKey();
        int victimIndex = -1;
        for (int i = 0; i < 3 && victimIndex < 0; i++) {
            JsonArray v = nodes(huibos.get(i));
            for (int j = 0; j < v.size(); j++) {
                if (v.getJsonObject(j).getBoolean("local") && victimOwner.equals(v.getJsonObject(j).getString("owner"))) {
                    victimIndex = i;
                }
            }
        }
        assertThat(victimIndex).isNotNegative();
        Stack.Proc victim = huibos.remove(victimIndex);
        long killedAt = System.nanoTime();
        victim.kill9();
        List<String> orphaned = owned.get(victimOwner);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonArray n = nodes(huibos.get(0));
            for (String id : orphaned) {
                JsonObject o = node(n, id);
                assertThat(o.getString("owner")).isNotNull().isNotEqualTo(victimOwner);
                assertThat(o.getString("state")).isEqualTo("connected");
            }
        });
        long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.println("takeover of " + orphaned + " took " + takeoverMs + " ms");

        // a node killed and restarted: its calls are reconciled, work goes elsewhere, it rejoins
        simOp("sim1", "kill");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> !"connected".equals(node(nodes(huibos.get(0)), "sim1").getString("state")));
        Thread.sleep(2000);
        simOp("sim1", "start");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> "connected".equals(node(nodes(huibos.get(1)), "sim1").getString("state")));

        // a silent drop is detected within 15 s, then the node reconnects after it speaks again
        long silentAt = System.nanoTime();
        simOp("sim2", "silent");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> !"connected".equals(node(nodes(huibos.get(0)), "sim2").getString("state")));
        System.out.println("silent drop detected after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentAt)
                + " ms");
        simOp("sim2", "start");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> "connected".equals(node(nodes(huibos.get(1)), "sim2").getString("state")));

        // the drained node got nothing new meanwhile
        assertThat(simNode("sim4").getLong("originates")).isEqualTo(drainedOriginates);
        var resumed = stack.post(stack.api(huibos.get(0)) + "/v1/nodes/sim4/resume", "", Stack.TOKEN, Map.of());
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(resumed.body()).getBoolean("draining")).isFalse();

        // every callback reaches a final state. About 1,600 attempts of 1-3 s on 30-40 channels take a
        // minute; the ceiling is generous because CI runs this on 2 cores next to 3 Huibo JVMs and the sim
        long drainFrom = System.nanoTime();
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).until(() ->
                stack.count("SELECT COUNT(*) FROM callbacks WHERE LOWER(state) IN ('completed','failed')") == CALLBACKS);
        System.out.println("all callbacks final " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainFrom)
                + " ms after the failures");

        // ---- the record
        Map<String, List<String[]>> attempts = new HashMap<>();
        Map<String, String[]> callbacks = new HashMap<>();
        try (Connection c = stack.db(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, number, LOWER(state), attempts FROM callbacks")) {
                while (rs.next()) {
                    callbacks.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3), rs.getString(4)});
                }
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT callback_id, number, outcome, detail FROM attempts ORDER BY callback_id, number")) {
                while (rs.next()) {
                    attempts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new String[] {rs.getString(2), rs.getString(3), String.valueOf(rs.getString(4))});
                }
            }
        }
        assertThat(callbacks.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        int disturbed = 0;
        for (String id : ids) {
            String[] cb = callbacks.get(id);
            String expected = expectedOutcome(cb[0].charAt(cb[0].length() - 1));
            List<String[]> as = attempts.getOrDefault(id, List.of());
            assertThat(as).as("attempts of %s", id).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_ATTEMPTS);
            assertThat(Integer.parseInt(cb[2])).isEqualTo(as.size());
            // an attempt either had the number's own outcome, or was cut by a failure we caused
            for (String[] a : as) {
                if (!expected.equals(a[1])) {
                    disturbed++;
                    assertThat(a[1]).as("attempt %s of %s (%s)", a[0], id, a[2]).isNotEqualTo("connected");
                }
            }
            if (expected.equals("connected")) {
                // no attempt after the one that connected; earlier ones only when disturbed
                assertThat(as.get(as.size() - 1)[1]).as("last attempt of %s", id).isIn("connected", "failed");
                if ("connected".equals(as.get(as.size() - 1)[1])) {
                    assertThat(cb[1]).isEqualTo("completed");
                } else {
                    assertThat(as).hasSize(MAX_ATTEMPTS);
                    assertThat(cb[1]).isEqualTo("failed");
                }
            } else {
                assertThat(cb[1]).as("state of %s", id).isEqualTo("failed");
                assertThat(as).hasSize(MAX_ATTEMPTS);
            }
        }
        System.out.println("attempts cut by the injected failures: " + disturbed);
        assertThat(disturbed).isLessThan(CALLBACKS / 5);

        // the simulator's view: no node above its channels, no attempt dialed twice
        JsonArray simNodes = stack.simNodes(sim);
        for (int i = 0; i < simNodes.size(); i++) {
            assertThat(simNodes.getJsonObject(i).getInteger("peak")).as("peak of %s", simNodes.getJsonObject(i))
                    .isLessThanOrEqualTo(10);
        }
        JsonArray calls = stack.simCalls(sim);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonObject call = calls.getJsonObject(i);
            String key = call.getString("callbackId") + "#" + call.getValue("attempt");
            assertThat(seen.add(key)).as("dialed twice: %s", key).isTrue();
            List<String[]> as = attempts.get(call.getString("callbackId"));
            assertThat(as).as("sim call %s has no attempt", key).isNotNull();
        }
        assertThat(seen.size()).isGreaterThanOrEqualTo(CALLBACKS);
    }


    /** A slow answer under load is retried with the same Idempotency-Key: still one callback. */
    private String submitWithRetry(Stack.Proc via, JsonObject body, String key) throws Exception {
        for (int tries = 1; ; tries++) {
            try {
                var r = stack.post(stack.api(via) + "/v1/callbacks", body.encode(), Stack.TOKEN,
                        Map.of("Idempotency-Key", key));
                assertThat(r.statusCode()).as(() -> r.body() + via.recentProblems()).isIn(200, 202);
                return new JsonObject(r.body()).getString("id");
            } catch (java.net.http.HttpTimeoutException e) {
                if (tries >= 3) {
                    throw e;
                }
            }
        }
    }
}
