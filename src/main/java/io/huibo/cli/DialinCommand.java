package io.huibo.cli;

import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code huibo dialin add|list|remove}: the callers allowed to ask for a callback by calling the
 * access number. Exit codes as {@link Output}.
 */
@Command(name = "dialin", mixinStandardHelpOptions = true, description = "Manage dial-in callers.",
        subcommands = {DialinCommand.Add.class, DialinCommand.ListCallers.class, DialinCommand.Remove.class})
public final class DialinCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static boolean validNumber(String n) {
        if (n.matches("\\+?[0-9]{2,20}")) {
            return true;
        }
        System.err.println("huibo: not a phone number: " + n);
        return false;
    }

    static String path(String number) {
        return "/v1/dialin/callers/" + URLEncoder.encode(number, StandardCharsets.UTF_8);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add or replace a caller (options left out take their defaults).")
    static final class Add implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NUMBER", description = "the caller ID, as the PBX presents it")
        String number;
        @Option(names = "--pin", description = "4-8 digits asked before registering (default: none). "
                + "Prefer --pin-env: a PIN on the command line shows in the process list")
        String pin;
        @Option(names = "--pin-env", paramLabel = "VAR", description = "read the PIN from this environment variable")
        String pinEnv;
        @Option(names = "--destination", description = "number to connect the caller to when called back")
        String destination;
        @Option(names = "--collect-now", description = "ask for the destination during the dial-in call")
        boolean collectNow;
        @Option(names = "--disabled", description = "register the caller as disabled")
        boolean disabled;

        @Override
        public Integer call() throws Exception {
            if (!validNumber(number)) {
                return 2;
            }
            String p = pin;
            if (pinEnv != null) {
                p = System.getenv(pinEnv);
                if (p == null) {
                    System.err.println("huibo: environment variable " + pinEnv + " is not set");
                    return 2;
                }
            }
            JsonObject body = new JsonObject().put("collectNow", collectNow).put("enabled", !disabled);
            if (p != null) {
                body.put("pin", p);
            }
            if (destination != null) {
                body.put("destination", destination);
            }
            return api.out().object(api.client().send("PUT", path(number), body.encode(), null));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the callers.")
    static final class ListCallers implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            return api.out().table(api.client().send("GET", "/v1/dialin/callers", null, null),
                    body -> new JsonObject(body).getJsonArray("callers"),
                    java.util.List.of(Table.Column.of("number"), Table.Column.of("hasPin"), Table.Column.of("destination"),
                            Table.Column.of("collectNow"), Table.Column.of("enabled"), Table.Column.of("createdAt")));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a caller.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NUMBER")
        String number;

        @Override
        public Integer call() throws Exception {
            if (!validNumber(number)) {
                return 2;
            }
            return api.out().done(api.client().send("DELETE", path(number), null, null),
                    new JsonObject().put("number", number).put("removed", true));
        }
    }
}
