package io.huibo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.huibo.cli.CliProcess.Run;
import org.junit.jupiter.api.io.TempDir;
import java.util.Map;
import java.util.HashMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code huibo callback list|requeue} and {@code huibo queue} run as an operator runs them (the jar, in a
 * process of its own) against a live server: {@code --json} parsed, exit codes checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorCliIT {

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;

    @TempDir
    Path home;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, null);
        huibo = stack.huibo(stack.huiboEnv(sim, 10));
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private Run cliAs(String token, String api, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("HUIBO_API_URL", api, "HOME", home.toString()));
        if (token != null) {
            env.put("HUIBO_API_TOKEN", token);
        }
        return CliProcess.run(home, env, args);
    }

    private Run cli(String... args) throws Exception {
        return cliAs(Stack.TOKEN, stack.api(huibo), args);
    }

    private String submit(String number, String at, String batch) throws Exception {
        JsonObject body = new JsonObject().put("number", number).put("destination", "+8613900139000")
                .put("maxAttempts", 1).put("metadata", new JsonObject().put("batch", batch));
        if (at != null) {
            body.put("at", at);
        }
        return stack.submit(huibo, body);
    }

    @Test
    void callbackListFollowsTheCursorsAndPrintsJsonOrATable() throws Exception {
        String batch = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submit("+86138001381" + (10 + i), "2099-01-01T00:00:00Z", batch));
        }

        Run all = cli("callback", "list", "--meta", "batch=" + batch, "--limit", "2", "--all", "--json");
        assertThat(all.code()).as(all.err()).isZero();
        JsonArray items = all.json().getJsonArray("items");
        List<String> listed = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            listed.add(items.getJsonObject(i).getString("id"));
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(all.json().getString("nextCursor")).isNull();

        Run page = cli("callback", "list", "--meta", "batch=" + batch, "--limit", "2", "--json");
        assertThat(page.code()).isZero();
        assertThat(page.json().getJsonArray("items")).hasSize(2);
        String cursor = page.json().getString("nextCursor");
        Run rest = cli("callback", "list", "--meta", "batch=" + batch, "--limit", "2", "--cursor", cursor, "--json");
        assertThat(rest.json().getJsonArray("items")).hasSize(1);

        Run table = cli("callback", "list", "--meta", "batch=" + batch, "--state", "queued",
                "--number", "+8613800138111");
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).containsPattern("(?m)^id +state +number").contains(ids.get(1), "queued").doesNotContain(ids.get(0));

        Run bad = cli("callback", "list", "--state", "ringing");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("state");
        Run badJson = cli("callback", "list", "--created-from", "monday", "--json");
        assertThat(badJson.code()).isEqualTo(2);
        assertThat(badJson.json().getString("field")).isEqualTo("createdFrom");
        assertThat(cli("callback", "list", "--frobnicate").code()).as("bad usage").isEqualTo(2);
    }

    @Test
    void callbackRequeueExitCodesSayWhatHappened() throws Exception {
        // the simulator's callees whose number ends in 7 are busy: with one attempt it fails
        String id = submit("+8613800138127", null, "rq");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.callback(huibo, id).getString("state").equals("failed"));

        Run r = cli("callback", "requeue", id, "--max-attempts", "1", "--at", "2099-01-01T00:00:00Z", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().getString("state")).isEqualTo("queued");
        assertThat(r.json().getInteger("maxAttempts")).isEqualTo(2);

        Run again = cli("callback", "requeue", id);
        assertThat(again.code()).isEqualTo(4);
        assertThat(again.err()).contains("409");
        Run againJson = cli("callback", "requeue", id, "--json");
        assertThat(againJson.code()).isEqualTo(4);
        assertThat(againJson.json().getInteger("status")).isEqualTo(409);

        assertThat(cli("callback", "requeue", "01ARZ3NDEKTSV4RRFFQ69G5FAV").code()).isEqualTo(3);
        assertThat(cli("callback", "requeue", "not/an/id").code()).isEqualTo(2);
        assertThat(cli("callback", "requeue", id, "--max-attempts", "11").code()).isEqualTo(2);
    }

    @Test
    void queuePrintsTheFigures() throws Exception {
        submit("+8613800138130", "2099-01-01T00:00:00Z", "q");
        Run json = cli("queue", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        JsonObject q = json.json();
        assertThat(q.getLong("waiting")).isGreaterThanOrEqualTo(1L);
        assertThat(q.getJsonObject("byPriority").fieldNames()).hasSize(10);
        assertThat(q.containsKey("dialRatePerSecond")).isTrue();

        Run table = cli("queue");
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("PRIORITY", "WAITING", "dial rate", "oldest due");
    }

    @Test
    void unauthorizedIs5AndNoServerIs1() throws Exception {
        for (String[] args : new String[][] {{"queue"}, {"callback", "list"}, {"callback", "requeue",
                "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"callback", "show", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}) {
            Run r = cliAs("wrong-token-0123456789", stack.api(huibo), args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err() + r.out()).isEqualTo(5);
        }
        String nowhere = "http://127.0.0.1:" + Stack.freePort();
        for (String[] args : new String[][] {{"queue"}, {"callback", "list"}, {"callback", "requeue",
                "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}) {
            Run r = cliAs(Stack.TOKEN, nowhere, args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).contains("cannot reach");
        }
        assertThat(cliAs(null, stack.api(huibo), "queue").code()).as("no token: bad usage").isEqualTo(2);
    }
}
