package io.huibo.cli;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code huibo callback requeue ID}: a failed or cancelled callback queued again with a fresh budget. */
@Command(name = "requeue", mixinStandardHelpOptions = true,
        description = "Queue a failed or cancelled callback again, with a fresh attempts budget.")
final class CallbackRequeueCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;
    @Parameters(paramLabel = "ID")
    String id;
    @Option(names = "--max-attempts", description = "attempts more than it has made, 1-10 (default 3)")
    Integer maxAttempts;
    @Option(names = "--at", paramLabel = "TIME", description = "ISO-8601 time, not before (default now)")
    String at;

    @Override
    public Integer call() throws Exception {
        Output out = api.out();
        if (!CallbackCommand.validId(id)) {
            return Output.INVALID;
        }
        JsonObject body = new JsonObject();
        if (maxAttempts != null) {
            body.put("maxAttempts", maxAttempts);
        }
        if (at != null) {
            body.put("at", at);
        }
        HttpResponse<String> r = api.client().send("POST", "/v1/callbacks/" + id + "/requeue", body.encode(), null);
        if (r.statusCode() != 200) {
            return out.refusal(r);
        }
        if (out.json()) {
            out.stdout().println(r.body());
        } else {
            JsonObject cb = new JsonObject(r.body());
            out.stdout().printf("%s %s, due %s, attempts %d of %d%n", cb.getString("id"), cb.getString("state"),
                    cb.getString("dueAt"), cb.getInteger("attemptCount"), cb.getInteger("maxAttempts"));
        }
        return Output.OK;
    }
}
