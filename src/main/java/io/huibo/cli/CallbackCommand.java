package io.huibo.cli;

import io.vertx.core.json.JsonObject;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code huibo callback submit|show|cancel|list|requeue|tail|import}: operator access to callbacks; exit codes as {@link Output}. */
@Command(name = "callback", mixinStandardHelpOptions = true, description = "Submit, show, list, cancel, requeue, follow or import callbacks.",
        subcommands = {CallbackCommand.Submit.class, CallbackCommand.Show.class, CallbackCommand.Cancel.class,
                CallbackListCommand.class, CallbackRequeueCommand.class, CallbackTailCommand.class,
                CallbackImportCommand.class})
public final class CallbackCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The callback's fields, then one table row per attempt (its route tries stay in --json). */
    static void show(Output out, JsonObject cb) {
        JsonObject head = cb.copy();
        JsonArray attempts = (JsonArray) head.remove("attempts");
        out.fields(head);
        if (attempts != null && !attempts.isEmpty()) {
            out.stdout().println();
            out.stdout().print(Table.render(attempts, List.of(Table.Column.of("number"), Table.Column.of("node"),
                    Table.Column.of("startedAt"), Table.Column.of("answeredAt"), Table.Column.of("endedAt"),
                    Table.Column.of("outcome"), Table.Column.of("failedLeg"), Table.Column.of("hangupCause"),
                    Table.Column.of("detail"))));
        }
    }

    static boolean validId(String id) {
        if (id.matches("[0-9A-Za-z]{1,64}")) {
            return true;
        }
        System.err.println("huibo: not a callback id: " + id);
        return false;
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Ask for a callback.")
    static final class Submit implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--number", required = true, description = "who is called first (E.164)")
        String number;
        @Option(names = "--destination", required = true, description = "who they are connected to")
        String destination;
        @Option(names = "--at", description = "ISO-8601 time, not before")
        String at;
        @Option(names = "--priority", description = "0-9, higher first")
        Integer priority;
        @Option(names = "--max-attempts", description = "1-10")
        Integer maxAttempts;
        @Option(names = "--caller-id", description = "caller ID shown to leg A")
        String callerId;
        @Option(names = "--meta", description = "metadata key=value (repeatable)")
        Map<String, String> metadata;
        @Option(names = "--idempotency-key", description = "makes a repeat return the first callback")
        String idempotencyKey;

        @Override
        public Integer call() throws Exception {
            JsonObject body = new JsonObject().put("number", number).put("destination", destination);
            if (at != null) {
                body.put("at", at);
            }
            if (priority != null) {
                body.put("priority", priority);
            }
            if (maxAttempts != null) {
                body.put("maxAttempts", maxAttempts);
            }
            if (callerId != null) {
                body.put("callerId", callerId);
            }
            if (metadata != null) {
                JsonObject m = new JsonObject();
                metadata.forEach(m::put);
                body.put("metadata", m);
            }
            return api.out().object(api.client().send("POST", "/v1/callbacks", body.encode(), idempotencyKey));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a callback and its attempts.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            if (!validId(id)) {
                return 2;
            }
            Output out = api.out();
            return out.object(api.client().send("GET", "/v1/callbacks/" + id, null, null), cb -> show(out, cb));
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a callback not yet dialing.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            if (!validId(id)) {
                return 2;
            }
            return api.out().object(api.client().send("DELETE", "/v1/callbacks/" + id, null, null));
        }
    }
}
