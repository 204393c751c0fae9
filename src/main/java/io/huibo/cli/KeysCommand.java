package io.huibo.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code huibo keys create|list|rotate|revoke}: API keys and their scopes; exit codes as {@link Output}. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list, rotate or revoke API keys (needs scope admin).",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {
    static final List<Table.Column> COLUMNS = List.of(
            Table.Column.of("keyId"), Table.Column.of("name"),
            new Table.Column("scopes", k -> String.join(",", k.getJsonArray("scopes").stream().map(String::valueOf).toList())),
            Table.Column.of("state"), Table.Column.of("createdAt"), Table.Column.of("rotatedAt"),
            Table.Column.of("revokedAt"), Table.Column.of("webhook"));

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static boolean validKeyId(String id) {
        if (id.matches("[0-9a-f]{12}")) {
            return true;
        }
        System.err.println("huibo: not a key id (12 hex digits, see huibo keys list): " + id);
        return false;
    }

    /** Shows a key with its token, and says that this is the only time it is shown. */
    static void showIssued(Output out, JsonObject key) {
        out.fields(key);
        out.stdout().println("(the token is shown only this once: store it now)");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key; prints its token once.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--name", required = true, description = "a name for humans (1-64 characters)")
        String name;
        @Option(names = "--scope", required = true, split = ",", paramLabel = "SCOPE",
                description = "callbacks:write, callbacks:read, operate, routing, admin (repeat or comma-separate)")
        List<String> scopes;
        @Option(names = "--webhook", paramLabel = "URL", description = "webhook for callbacks submitted with this key that name none")
        String webhook;
        @Option(names = "--profile", paramLabel = "NAME", description = "retry profile for callbacks submitted with this key that name none")
        String profile;

        @Override
        public Integer call() throws Exception {
            JsonObject body = new JsonObject().put("name", name).put("scopes", new JsonArray(scopes));
            if (webhook != null) {
                body.put("webhook", webhook);
            }
            if (profile != null) {
                body.put("profile", profile);
            }
            Output out = api.out();
            return out.object(api.client().send("POST", "/v1/keys", body.encode(), null), k -> showIssued(out, k));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every key (revoked ones too); never a secret.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            return api.out().table(api.client().send("GET", "/v1/keys", null, null),
                    b -> new JsonObject(b).getJsonArray("items"), COLUMNS);
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Give a key a new secret (same key id and scopes); the old token is refused at once.")
    static final class Rotate implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "KEYID", description = "the key's id (see huibo keys list)")
        String id;

        @Override
        public Integer call() throws Exception {
            if (!validKeyId(id)) {
                return Output.INVALID;
            }
            Output out = api.out();
            return out.object(api.client().send("POST", "/v1/keys/" + id + "/rotate", null, null), k -> showIssued(out, k));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key: every instance refuses it within a second.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "KEYID", description = "the key's id (see huibo keys list)")
        String id;

        @Override
        public Integer call() throws Exception {
            if (!validKeyId(id)) {
                return Output.INVALID;
            }
            return api.out().object(api.client().send("DELETE", "/v1/keys/" + id, null, null));
        }
    }
}
