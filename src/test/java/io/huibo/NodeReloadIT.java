package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nodes added and removed by editing the configuration file and reloading, with two Huibo processes
 * that each read their own file: a reload on one instance reaches the other; a removed node is
 * drained (its calls finish) before it goes; a node that refuses the login shows why, in
 * {@code GET /v1/nodes} and {@code /health} of every instance.
 */
class NodeReloadIT {
    private static final int CHANNELS = 4;

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc a;
    private Stack.Proc b;

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        // answered calls talk 6 s, so a node still has calls up when it is removed, even when the reload
        // takes a few seconds on a loaded machine
        sim = stack.sim(3, CHANNELS, "defaults:\n  talk: 6s\n");
        a = stack.huibo(stack.huiboEnv(null, CHANNELS), writeConfigs("a", List.of("sim1")));
        b = stack.huibo(stack.huiboEnv(null, CHANNELS), writeConfigs("b", List.of("sim1")));
    }

    @AfterEach
    void down() throws Exception {
        stack.close();
    }

    /** The node list of one instance's file; sim3 is given a wrong AMI secret. */
    private Path writeConfigs(String instance, List<String> nodes) throws Exception {
        StringBuilder y = new StringBuilder("nodes:\n");
        for (String id : nodes) {
            int port = sim.port("ami") + Integer.parseInt(id.substring(3)) - 1;
            y.append("  - id: ").append(id).append('\n')
                    .append("    host: 127.0.0.1\n")
                    .append("    amiPort: ").append(port).append('\n')
                    .append("    user: huibo\n")
                    .append("    secret: \"").append(id.equals("sim3") ? "wrong-secret" : Stack.SIM_SECRET).append("\"\n")
                    .append("    maxCalls: ").append(CHANNELS).append('\n');
        }
        return stack.writeFile("huibo-" + instance + ".yaml", y.toString());
    }

    private void rewrite(List<String> nodes) throws Exception {
        writeConfigs("a", nodes);
        writeConfigs("b", nodes);
    }

    private JsonArray nodes(Stack.Proc huibo) throws Exception {
        var r = stack.get(stack.api(huibo) + "/v1/nodes", Stack.TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonArray(r.body());
    }

    private static Set<String> ids(JsonArray nodes) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.add(nodes.getJsonObject(i).getString("id"));
        }
        return out;
    }

    private static JsonObject find(JsonArray nodes, String id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (id.equals(nodes.getJsonObject(i).getString("id"))) {
                return nodes.getJsonObject(i);
            }
        }
        throw new AssertionError("no node " + id + " in " + nodes);
    }

    private JsonObject simNode(String id) throws Exception {
        return find(stack.simNodes(sim), id);
    }

    @Test
    void nodesJoinAndLeaveByReloadOnEveryInstance() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(find(nodes(b), "sim1").getString("state")).isEqualTo("connected"));

        // a file that does not load changes nothing, here or elsewhere
        stack.writeFile("huibo-a.yaml", "nodes:\n  - id: sim1\n    bogus: 1\n");
        var broken = stack.post(stack.api(a) + "/v1/admin/reload", "", Stack.TOKEN, Map.of());
        assertThat(broken.statusCode()).as(broken.body()).isEqualTo(400);
        assertThat(broken.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
        assertThat(ids(nodes(a))).containsExactly("sim1");

        // add sim2 and sim3 (wrong secret) to both files; reload one instance only
        rewrite(List.of("sim1", "sim2", "sim3"));
        var r = stack.post(stack.api(a) + "/v1/admin/reload", "", Stack.TOKEN, Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getJsonArray("added").getList()).containsExactly("sim2", "sim3");

        for (Stack.Proc huibo : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                JsonArray n = nodes(huibo);
                assertThat(ids(n)).containsExactly("sim1", "sim2", "sim3");
                assertThat(find(n, "sim2").getString("state")).isEqualTo("connected");
                // the refused login, with its reason, whichever instance drives sim3
                JsonObject refused = find(n, "sim3");
                assertThat(refused.getString("state")).isEqualTo("auth_failed");
                assertThat(refused.getString("lastError")).containsIgnoringCase("authentication");
            });
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                var h = stack.get(stack.api(huibo) + "/health", null);
                JsonObject health = new JsonObject(h.body());
                JsonObject refused = find(health.getJsonArray("nodes"), "sim3");
                assertThat(refused.getString("state")).isEqualTo("auth_failed");
                assertThat(refused.getString("lastError")).containsIgnoringCase("authentication");
                // the other nodes still work: the service is up
                assertThat(h.statusCode()).as(h.body()).isEqualTo(200);
            });
        }

        // calls go to both working nodes
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            JsonObject body = new JsonObject().put("number", String.format("+8613800%06d", i * 10))
                    .put("destination", "+8613900139000").put("maxAttempts", 1);
            ids.add(stack.submit(i % 2 == 0 ? a : b, body));
        }
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() ->
                simNode("sim1").getInteger("active") > 0 && simNode("sim2").getInteger("originates") > 0);

        // remove sim1 while it has calls up, by SIGHUP this time, on the instance that does not own it
        rewrite(List.of("sim2", "sim3"));
        String owner = find(nodes(a), "sim1").getString("owner");
        Stack.Proc ownerProc = find(nodes(a), "sim1").getBoolean("local") ? a : b;
        Stack.Proc other = ownerProc == a ? b : a;
        other.hangup();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonObject s1 = find(nodes(ownerProc), "sim1");
            assertThat(s1.getBoolean("removing")).isTrue();
            assertThat(s1.getString("owner")).isEqualTo(owner);
        });
        // an Originate decided just before the reload may still be on its way
        Thread.sleep(500);
        long originatesAtRemoval = simNode("sim1").getLong("originates");

        // its calls finish, then it is gone from every instance
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(simNode("sim1").getInteger("active")).isZero();
            assertThat(ids(nodes(a))).containsExactly("sim2", "sim3");
            assertThat(ids(nodes(b))).containsExactly("sim2", "sim3");
        });
        assertThat(simNode("sim1").getLong("originates")).isEqualTo(originatesAtRemoval);

        // every callback answered once, none cut by the removal
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                stack.count("SELECT COUNT(*) FROM callbacks WHERE LOWER(state) IN ('completed','failed')") == ids.size());
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE LOWER(state) = 'completed' AND attempts = 1"))
                .isEqualTo(ids.size());
        // the rest went to sim2 only
        long sim2 = simNode("sim2").getLong("originates");
        assertThat(originatesAtRemoval + sim2).isEqualTo(ids.size());
        assertThat(simNode("sim3").getLong("originates")).isZero();
    }
}
