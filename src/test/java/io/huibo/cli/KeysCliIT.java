package io.huibo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.huibo.cli.CliProcess.Run;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code huibo keys} against a live server of its own (the first key ends the config token's bootstrap,
 * which CliIT's other commands rely on): create, list, rotate, revoke, with {@code --json} and exit codes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysCliIT {
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

    private Run huibo(String token, String... args) throws Exception {
        return CliProcess.run(home, Map.of("HUIBO_API_URL", stack.api(huibo), "HUIBO_API_TOKEN", token,
                "HOME", home.toString()), args);
    }

    @Test
    void createListRotateRevoke() throws Exception {
        // the config token while no key exists
        Run admin = huibo(Stack.TOKEN, "keys", "create", "--name", "ops admin", "--scope", "admin,operate", "--json");
        assertThat(admin.code()).as(admin.err()).isZero();
        String adminToken = admin.json().getString("token");
        assertThat(adminToken).startsWith("hb_" + admin.json().getString("keyId") + "_");
        assertThat(admin.json().getJsonArray("scopes").getList()).containsExactly("operate", "admin");

        // the config token is refused now: exit code 5
        Run refused = huibo(Stack.TOKEN, "keys", "list", "--json");
        assertThat(refused.code()).isEqualTo(Output.UNAUTHORIZED);
        assertThat(refused.json().getInteger("status")).isEqualTo(401);

        Run human = huibo(adminToken, "keys", "create", "--name", "reader", "--scope", "callbacks:read");
        assertThat(human.code()).as(human.err()).isZero();
        assertThat(human.out()).containsPattern("(?m)^token: +hb_[0-9a-f]{12}_").contains("shown only this once");
        String readerId = human.out().lines().filter(l -> l.startsWith("keyId:")).findFirst().orElseThrow()
                .substring("keyId:".length()).strip();
        String reader = human.out().lines().filter(l -> l.startsWith("token:")).findFirst().orElseThrow()
                .substring("token:".length()).strip();

        // a key without admin may not manage keys: exit code 5, the 403 problem
        Run forbidden = huibo(reader, "keys", "list", "--json");
        assertThat(forbidden.code()).isEqualTo(Output.UNAUTHORIZED);
        assertThat(forbidden.json().getInteger("status")).isEqualTo(403);

        Run list = huibo(adminToken, "keys", "list", "--json");
        assertThat(list.code()).isZero();
        JsonArray items = list.json().getJsonArray("items");
        assertThat(items).hasSize(2);
        assertThat(list.out()).doesNotContain(reader.substring(16)).doesNotContain(adminToken.substring(16));
        Run table = huibo(adminToken, "keys", "list");
        assertThat(table.out()).containsPattern("(?m)^keyId +name +scopes +state")
                .containsPattern("(?m)^" + readerId + " +reader +callbacks:read +active ");

        Run rotated = huibo(adminToken, "keys", "rotate", readerId, "--json");
        assertThat(rotated.code()).as(rotated.err()).isZero();
        assertThat(rotated.json().getString("token")).startsWith("hb_" + readerId + "_").isNotEqualTo(reader);
        assertThat(huibo(reader, "callback", "list", "--json").code()).isEqualTo(Output.UNAUTHORIZED);
        assertThat(huibo(rotated.json().getString("token"), "callback", "list", "--json").code()).isZero();

        Run revoked = huibo(adminToken, "keys", "revoke", readerId, "--json");
        assertThat(revoked.code()).isZero();
        assertThat(revoked.json().getString("state")).isEqualTo("revoked");
        assertThat(huibo(rotated.json().getString("token"), "callback", "list", "--json").code()).isEqualTo(Output.UNAUTHORIZED);

        // not found, bad input, bad usage
        assertThat(huibo(adminToken, "keys", "rotate", readerId, "--json").code()).isEqualTo(Output.NOT_FOUND);
        assertThat(huibo(adminToken, "keys", "revoke", "ffffffffffff").code()).isEqualTo(Output.NOT_FOUND);
        assertThat(huibo(adminToken, "keys", "revoke", "not-a-key").code()).isEqualTo(Output.INVALID);
        Run badScope = huibo(adminToken, "keys", "create", "--name", "x", "--scope", "root", "--json");
        assertThat(badScope.code()).isEqualTo(Output.INVALID);
        assertThat(badScope.json().getString("field")).isEqualTo("scopes");
        assertThat(huibo(adminToken, "keys", "create", "--scope", "admin").code()).isEqualTo(Output.INVALID);

        // a key's own toll-fraud entries: at creation, then changed with keys guards (a left-out option is kept)
        Run uk = huibo(adminToken, "keys", "create", "--name", "uk", "--scope", "callbacks:write",
                "--allow", "+44,international", "--deny", "+4930", "--json");
        assertThat(uk.code()).as(uk.err()).isZero();
        assertThat(uk.json().getJsonArray("allow").getList()).containsExactly("+44", "international");
        assertThat(uk.json().getJsonArray("deny").getList()).containsExactly("+4930");
        String ukId = uk.json().getString("keyId");
        Run cleared = huibo(adminToken, "keys", "guards", ukId, "--deny", "", "--json");
        assertThat(cleared.code()).as(cleared.err()).isZero();
        assertThat(cleared.json().getJsonArray("deny")).isEmpty();
        assertThat(cleared.json().getJsonArray("allow").getList()).containsExactly("+44", "international");
        assertThat(huibo(adminToken, "keys", "list").out()).containsPattern("(?m)^" + ukId + " +uk .*\\+44,international");
        Run badEntry = huibo(adminToken, "keys", "guards", ukId, "--allow", "+44x", "--json");
        assertThat(badEntry.code()).isEqualTo(Output.INVALID);
        assertThat(badEntry.json().getString("field")).isEqualTo("allow");
        assertThat(huibo(adminToken, "keys", "guards", ukId).code()).isEqualTo(Output.INVALID);
        assertThat(huibo(adminToken, "keys", "guards", "ffffffffffff", "--allow", "+44").code()).isEqualTo(Output.NOT_FOUND);
    }
}
