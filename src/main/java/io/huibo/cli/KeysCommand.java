package io.huibo.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code huibo keys create|list|rotate|revoke|guards}: API keys, their scopes and their own toll-fraud
 * entries; exit codes as {@link Output}.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list, rotate or revoke API keys (needs scope admin).",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class, KeysCommand.Revoke.class,
            KeysCommand.Guards.class})
public final class KeysCommand implements Runnable {
    static final List<Table.Column> COLUMNS = List.of(
            Table.Column.of("keyId"), Table.Column.of("name"),
            new Table.Column("scopes", k -> String.join(",", k.getJsonArray("scopes").stream().map(String::valueOf).toList())),
            Table.Column.of("state"), Table.Column.of("createdAt"), Table.Column.of("rotatedAt"),
            Table.Column.of("revokedAt"), Table.Column.of("webhook"),
            new Table.Column("allow", k -> joined(k, "allow")), new Table.Column("deny", k -> joined(k, "deny")));

    private static String joined(JsonObject k, String field) {
        JsonArray a = k.getJsonArray(field);
        return a == null ? "" : String.join(",", a.stream().map(String::valueOf).toList());
    }

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
        @Option(names = "--allow", split = ",", paramLabel = "ENTRY",
                description = "toll-fraud allow entries of this key: prefixes (+44) or premium-rate, satellite, international")
        List<String> allow;
        @Option(names = "--deny", split = ",", paramLabel = "PREFIX", description = "toll-fraud deny prefixes of this key")
        List<String> deny;
        @Option(names = "--profile", paramLabel = "NAME", description = "retry profile for callbacks submitted with this key that name none")
        String profile;

        @Override
        public Integer call() throws Exception {
            JsonObject body = new JsonObject().put("name", name).put("scopes", new JsonArray(scopes));
            if (webhook != null) {
                body.put("webhook", webhook);
            }
            if (allow != null) {
                body.put("allow", new JsonArray(allow));
            }
            if (deny != null) {
                body.put("deny", new JsonArray(deny));
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

    @Command(name = "guards", mixinStandardHelpOptions = true,
            description = "Replace a key's own toll-fraud allow or deny entries (an option left out keeps them; "
                    + "an empty value clears them).")
    static final class Guards implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "KEYID", description = "the key's id (see huibo keys list)")
        String id;
        @Option(names = "--allow", paramLabel = "ENTRIES", description = "comma-separated prefixes or categories; \"\" for none")
        String allow;
        @Option(names = "--deny", paramLabel = "PREFIXES", description = "comma-separated prefixes; \"\" for none")
        String deny;

        @Override
        public Integer call() throws Exception {
            if (!validKeyId(id)) {
                return Output.INVALID;
            }
            if (allow == null && deny == null) {
                System.err.println("huibo: give --allow, --deny or both");
                return Output.INVALID;
            }
            JsonObject body = new JsonObject();
            if (allow != null) {
                body.put("allow", list(allow));
            }
            if (deny != null) {
                body.put("deny", list(deny));
            }
            return api.out().object(api.client().send("PATCH", "/v1/keys/" + id, body.encode(), null));
        }

        private static JsonArray list(String s) {
            JsonArray a = new JsonArray();
            for (String e : s.split(",")) {
                if (!e.isBlank()) {
                    a.add(e.trim());
                }
            }
            return a;
        }
    }
}
