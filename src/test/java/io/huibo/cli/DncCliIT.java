package io.huibo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.huibo.cli.CliProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code huibo dnc} against a live server: add, list, import, remove, with {@code --json} and exit codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DncCliIT {
    private Stack stack;
    private Stack.Proc huibo;
    @TempDir
    Path home;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Map<String, String> env = stack.huiboEnv(null, 1);
        env.put("HUIBO_NODES", "down1=huibo:x@127.0.0.1:" + Stack.freePort() + "/5");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private Run huibo(String... args) throws Exception {
        return CliProcess.run(home, Map.of("HUIBO_API_URL", stack.api(huibo), "HUIBO_API_TOKEN", Stack.TOKEN,
                "HOME", home.toString()), args);
    }

    @Test
    void addListImportRemove() throws Exception {
        Run added = huibo("dnc", "add", "+8613800300001", "--reason", "asked not to be called", "--json");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.json().getString("number")).isEqualTo("+8613800300001");
        assertThat(added.json().getString("reason")).isEqualTo("asked not to be called");
        assertThat(stack.count("SELECT COUNT(*) FROM do_not_call WHERE number = '+8613800300001'")).isEqualTo(1);

        Path file = home.resolve("dnc.csv");
        Files.writeString(file, "number,reason\n+8613800300002,spam\n+8613800300003\n+8613800300001,twice\n");
        Run imported = huibo("dnc", "import", file.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).containsPattern("(?m)^added: +2$").containsPattern("(?m)^updated: +1$");

        Run table = huibo("dnc", "list");
        assertThat(table.code()).isZero();
        assertThat(table.out()).containsPattern("(?m)^number +reason +addedAt +addedBy")
                .containsPattern("(?m)^\\+8613800300001 +twice ")
                .containsPattern("(?m)^\\+8613800300002 +spam ");
        Run json = huibo("dnc", "list", "--json");
        assertThat(json.json().getJsonArray("entries")).hasSize(3);

        Run removed = huibo("dnc", "remove", "+8613800300002");
        assertThat(removed.code()).as(removed.err()).isZero();
        assertThat(stack.count("SELECT COUNT(*) FROM do_not_call")).isEqualTo(2);
        assertThat(huibo("dnc", "remove", "+8613800300002").code()).isEqualTo(Output.NOT_FOUND);

        // bad input: exit code 2, nothing stored
        assertThat(huibo("dnc", "add", "+86138&PJSIP/1").code()).isEqualTo(Output.INVALID);
        Path bad = home.resolve("bad.csv");
        Files.writeString(bad, "+8613800300004\nnot-a-number\n");
        Run refused = huibo("dnc", "import", bad.toString(), "--json");
        assertThat(refused.code()).isEqualTo(Output.INVALID);
        assertThat(refused.json().getString("field")).isEqualTo("line 2");
        assertThat(huibo("dnc", "import", home.resolve("missing.csv").toString()).code()).isEqualTo(Output.INVALID);
        assertThat(huibo("dnc", "add").code()).isEqualTo(Output.INVALID);
        assertThat(stack.count("SELECT COUNT(*) FROM do_not_call")).isEqualTo(2);
    }
}
