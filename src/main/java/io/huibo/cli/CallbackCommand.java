package io.huibo.cli;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code huibo callback submit|show|cancel|list|requeue}: operator access to callbacks. Exit codes: 0 done,
 * 1 the server failed or is unreachable, 2 the request was refused as invalid (or bad usage),
 * 3 not found, 4 conflict, 5 unauthorized.
 */
@Command(name = "callback", mixinStandardHelpOptions = true, description = "Submit, show, list, cancel or requeue callbacks.",
        subcommands = {CallbackCommand.Submit.class, CallbackCommand.Show.class, CallbackCommand.Cancel.class,
                CallbackListCommand.class, CallbackRequeueCommand.class})
public final class CallbackCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static boolean validId(String id) {
        if (id.matches("[0-9A-Za-z]{1,64}")) {
            return true;
        }
        System.err.println("huibo: not a callback id: " + id);
        return false;
    }

    static int report(HttpResponse<String> r) {
        System.out.println(r.body().isEmpty() ? "HTTP " + r.statusCode() : r.body());
        int s = r.statusCode();
        if (s >= 200 && s < 300) {
            return 0;
        }
        return switch (s) {
            case 400, 413 -> 2;
            case 401 -> 5;
            case 404 -> 3;
            case 409 -> 4;
            default -> 1;
        };
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
            return report(api.client().send("POST", "/v1/callbacks", body.encode(), idempotencyKey));
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
            return report(api.client().send("GET", "/v1/callbacks/" + id, null, null));
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
            return report(api.client().send("DELETE", "/v1/callbacks/" + id, null, null));
        }
    }
}
