package io.huibo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.huibo.cli.CliProcess.Run;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operator command as an operator runs it: the jar as a process against a live server on the
 * simulator, {@code --json} output parsed, exit codes checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {

    private Stack stack;
    private Stack.Proc huibo;
    @TempDir
    Path home;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Stack.Proc sim = stack.sim(1, 10, null);
        huibo = stack.huibo(stack.huiboEnv(sim, 10));
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    /** The CLI with the server and key in the environment and a home without a config file. */
    private Run huibo(String... args) throws Exception {
        return run(Map.of("HUIBO_API_URL", stack.api(huibo), "HUIBO_API_TOKEN", Stack.TOKEN, "HOME", home.toString()), args);
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        return CliProcess.run(home, env, args);
    }

    private JsonObject waitForState(String id, String state) {
        JsonObject[] last = new JsonObject[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            Run show = huibo("callback", "show", id, "--json");
            assertThat(show.code()).isZero();
            last[0] = show.json();
            assertThat(last[0].getString("state")).isEqualTo(state);
        });
        return last[0];
    }

    @Test
    void callbackSubmitShowAndCancel() throws Exception {
        Run submitted = huibo("callback", "submit", "--number", "+8613800138001", "--destination", "+8613900139001",
                "--meta", "ticket=T-7", "--json");
        assertThat(submitted.code()).as(submitted.err()).isZero();
        String id = submitted.json().getString("id");

        JsonObject done = waitForState(id, "completed");
        assertThat(done.getJsonArray("attempts").getJsonObject(0).getString("outcome")).isEqualTo("connected");

        Run human = huibo("callback", "show", id);
        assertThat(human.code()).isZero();
        assertThat(human.out()).contains("state:", "completed", "ticket").containsPattern("(?m)^number +node +startedAt");

        Run late = huibo("callback", "cancel", id, "--json");
        assertThat(late.code()).isEqualTo(Output.CONFLICT);
        assertThat(late.json().getInteger("status")).isEqualTo(409);

        Run later = huibo("callback", "submit", "--number", "+8613800138002", "--destination", "+8613900139002",
                "--at", Instant.now().plusSeconds(3600).toString(), "--json");
        String laterId = later.json().getString("id");
        Run cancelled = huibo("callback", "cancel", laterId, "--json");
        assertThat(cancelled.code()).isZero();
        assertThat(cancelled.json().getString("state")).isEqualTo("cancelled");
    }

    @Test
    void refusalsHaveTheirExitCodes() throws Exception {
        Run unknown = huibo("callback", "show", "01JUNKJUNKJUNKJUNKJUNKJUNK", "--json");
        assertThat(unknown.code()).isEqualTo(Output.NOT_FOUND);
        assertThat(unknown.json().getInteger("status")).isEqualTo(404);

        Run invalid = huibo("callback", "submit", "--number", "+86138&PJSIP/9", "--destination", "+8613900139001", "--json");
        assertThat(invalid.code()).isEqualTo(Output.INVALID);
        assertThat(invalid.json().getString("field")).isEqualTo("number");

        Run invalidHuman = huibo("callback", "submit", "--number", "12", "--destination", "+8613900139001");
        assertThat(invalidHuman.code()).isEqualTo(Output.INVALID);
        assertThat(invalidHuman.err()).startsWith("huibo: Invalid request (HTTP 400)").contains("[field number]");

        Run usage = huibo("callback", "submit", "--number", "+8613800138001");
        assertThat(usage.code()).isEqualTo(Output.INVALID);
        assertThat(usage.err()).contains("--destination");

        Run badKey = run(Map.of("HUIBO_API_URL", stack.api(huibo), "HUIBO_API_TOKEN", "wrong-key", "HOME", home.toString()),
                "nodes", "list", "--json");
        assertThat(badKey.code()).isEqualTo(Output.UNAUTHORIZED);
        assertThat(badKey.json().getInteger("status")).isEqualTo(401);

        Run noKey = run(Map.of("HUIBO_API_URL", stack.api(huibo), "HOME", home.toString()), "nodes", "list");
        assertThat(noKey.code()).isEqualTo(Output.INVALID);
        assertThat(noKey.err()).contains("no API key");

        Run down = run(Map.of("HUIBO_API_URL", "http://127.0.0.1:" + Stack.freePort(), "HUIBO_API_TOKEN", Stack.TOKEN,
                "HOME", home.toString()), "nodes", "list");
        assertThat(down.code()).isEqualTo(Output.FAILED);
        assertThat(down.err()).startsWith("huibo: cannot reach http://127.0.0.1:").doesNotContain("Exception\n\tat");
    }

    @Test
    void serverAndKeyComeFromTheUsersConfigFile() throws Exception {
        Path userHome = Files.createTempDirectory(home, "user");
        Path file = userHome.resolve(".config/huibo/cli.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "api=" + stack.api(huibo) + "\ntoken=" + Stack.TOKEN + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Run list = run(Map.of("HOME", userHome.toString()), "nodes", "list", "--json");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.err()).isEmpty();
        assertThat(list.array().getJsonObject(0).getString("id")).isEqualTo("sim1");
    }

    @Test
    void nodesListDrainResume() throws Exception {
        Run human = huibo("nodes", "list");
        assertThat(human.code()).isZero();
        assertThat(human.out()).containsPattern("(?m)^id +state +owner +calls").containsPattern("(?m)^sim1 +connected ");

        Run drained = huibo("nodes", "drain", "sim1", "--json");
        assertThat(drained.code()).as(drained.err()).isZero();
        assertThat(drained.json().getBoolean("draining")).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(huibo("nodes", "list", "--json").array().getJsonObject(0).getBoolean("draining")).isTrue());

        Run resumed = huibo("nodes", "resume", "sim1", "--json");
        assertThat(resumed.code()).isZero();
        assertThat(resumed.json().getBoolean("draining")).isFalse();

        assertThat(huibo("nodes", "drain", "nosuchnode", "--json").code()).isEqualTo(Output.NOT_FOUND);
        assertThat(huibo("nodes", "drain", "bad/id").code()).isEqualTo(Output.INVALID);
    }

    @Test
    void adminReload() throws Exception {
        Run reload = huibo("admin", "reload", "--json");
        assertThat(reload.code()).as(reload.err()).isZero();
        JsonObject r = reload.json();
        assertThat(r.getJsonArray("added")).isEmpty();
        assertThat(r.getJsonArray("removed")).isEmpty();
        assertThat(r.containsKey("changed")).isTrue();
    }

    @Test
    void dialinCallers() throws Exception {
        Run add = run(Map.of("HUIBO_API_URL", stack.api(huibo), "HUIBO_API_TOKEN", Stack.TOKEN, "HOME", home.toString(),
                "CALLER_PIN", "4711"), "dialin", "add", "+8613700137001", "--pin-env", "CALLER_PIN",
                "--destination", "+8613900139009", "--json");
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.json().getBoolean("hasPin")).isTrue();

        Run list = huibo("dialin", "list", "--json");
        assertThat(list.json().getJsonArray("callers").stream().map(o -> ((JsonObject) o).getString("number")))
                .contains("+8613700137001");
        assertThat(huibo("dialin", "list").out()).containsPattern("(?m)^\\+8613700137001 +true +\\+8613900139009");

        Run removed = huibo("dialin", "remove", "+8613700137001", "--json");
        assertThat(removed.code()).isZero();
        assertThat(removed.json().getBoolean("removed")).isTrue();
        assertThat(huibo("dialin", "remove", "+8613700137001", "--json").code()).isEqualTo(Output.NOT_FOUND);
        assertThat(huibo("dialin", "add", "not-a-number").code()).isEqualTo(Output.INVALID);
    }

    @Test
    void routesExportAndImport() throws Exception {
        Run export = huibo("routes", "export", "--kind", "trunks");
        assertThat(export.code()).as(export.err()).isZero();
        String header = export.out().lines().findFirst().orElseThrow();
        assertThat(header).startsWith("id,");

        Path good = home.resolve("trunks.csv");
        Files.writeString(good, export.out());
        Run same = huibo("routes", "import", "--kind", "trunks", good.toString(), "--json");
        assertThat(same.code()).as(same.err() + same.out()).isZero();

        Path bad = home.resolve("bad.csv");
        Files.writeString(bad, header + "\nonly-one-field\n");
        Run refused = huibo("routes", "import", "--kind", "trunks", bad.toString(), "--json");
        assertThat(refused.code()).isEqualTo(Output.INVALID);
        assertThat(refused.json().getInteger("status")).isEqualTo(400);

        Run missing = huibo("routes", "import", "--kind", "trunks", home.resolve("nope.csv").toString());
        assertThat(missing.code()).isEqualTo(Output.INVALID);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void tailFollowsACallbackToItsEnd() throws Exception {
        Run submitted = huibo("callback", "submit", "--number", "+8613800138011", "--destination", "+8613900139011", "--json");
        String id = submitted.json().getString("id");

        Run tail = huibo("callback", "tail", id, "--until-ended", "--json");
        assertThat(tail.code()).as(tail.err()).isZero();
        List<JsonObject> events = tail.out().lines().map(JsonObject::new).toList();
        assertThat(events).allSatisfy(e -> assertThat(e.getString("callbackId")).isEqualTo(id));
        assertThat(events.get(0).getString("to")).isEqualTo("queued");
        assertThat(events.get(0).getString("from")).isNull();
        assertThat(events).anySatisfy(e -> assertThat(e.getString("outcome")).isEqualTo("connected"));
        assertThat(events.get(events.size() - 1).getString("to")).isEqualTo("completed");
        assertThat(events.stream().map(e -> e.getLong("id")).toList()).isSorted().doesNotHaveDuplicates();

        Run human = huibo("callback", "tail", id, "--until-ended");
        assertThat(human.out()).contains(id + "  created, queued").contains("attempt 1: connected on sim1")
                .contains("-> completed");

        assertThat(huibo("callback", "tail", "--until-ended").code()).isEqualTo(Output.INVALID);
        assertThat(huibo("callback", "tail", "bad/id").code()).isEqualTo(Output.INVALID);
    }

    @Test
    void importSendsBatchesAndReportsEveryRow() throws Exception {
        StringBuilder csv = new StringBuilder("number,destination,at,metadata.batch\n");
        String later = Instant.now().plusSeconds(3600).toString();
        for (int i = 0; i < 25; i++) {
            String number = i == 7 ? "+86-bad" : "+86138002" + String.format("%05d", i);
            csv.append(number).append(",+8613900139000,").append(later).append(",\"imp,1\"\n");
        }
        Path file = home.resolve("callbacks.csv");
        Files.writeString(file, csv);

        Run imported = huibo("callback", "import", file.toString(), "--batch", "10", "--json");
        assertThat(imported.code()).as(imported.err()).isEqualTo(Output.INVALID);
        JsonObject r = imported.json();
        assertThat(r.getInteger("accepted")).isEqualTo(24);
        assertThat(r.getInteger("rejected")).isEqualTo(1);
        JsonArray results = r.getJsonArray("results");
        assertThat(results).hasSize(25);
        for (int i = 0; i < 25; i++) {
            JsonObject row = results.getJsonObject(i);
            assertThat(row.getInteger("index")).isEqualTo(i);
            if (i == 7) {
                assertThat(row.getJsonObject("problem").getString("field")).isEqualTo("number");
            } else {
                assertThat(row.getString("id")).isNotNull();
            }
        }
        assertThat(imported.err()).contains("[##############################] 25/25 rows, 1 not stored");
        // the quoted comma survived the split into batches
        Run list = huibo("callback", "list", "--meta", "batch=imp,1", "--all", "--json");
        assertThat(list.json().getJsonArray("items")).hasSize(24);

        Path json = home.resolve("callbacks.json");
        Files.writeString(json, new JsonArray().add(new JsonObject().put("number", "+8613800299999")
                .put("destination", "+8613900139000").put("at", later)).encode());
        Run one = huibo("callback", "import", json.toString());
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.out()).startsWith("accepted 1, rejected 0, failed 0 (of 1 rows)");

        assertThat(huibo("callback", "import", home.resolve("none.csv").toString()).code()).isEqualTo(Output.INVALID);
    }
}
