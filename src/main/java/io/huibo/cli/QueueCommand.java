package io.huibo.cli;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code huibo queue}: the schedule's figures ({@code GET /v1/queue}). */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Show the schedule: waiting and due callbacks by priority, the oldest due, the dial rate.")
public final class QueueCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Override
    public Integer call() throws Exception {
        Output out = api.out();
        HttpResponse<String> r = api.client().send("GET", "/v1/queue", null, null);
        if (r.statusCode() != 200) {
            return out.refusal(r);
        }
        if (out.json()) {
            out.stdout().println(r.body());
            return Output.OK;
        }
        JsonObject q = new JsonObject(r.body());
        out.stdout().printf("%-8s  %8s  %8s%n", "PRIORITY", "WAITING", "DUE NOW");
        JsonObject by = q.getJsonObject("byPriority");
        for (int p = 9; p >= 0; p--) {
            JsonObject e = by.getJsonObject(Integer.toString(p));
            out.stdout().printf("%-8d  %8d  %8d%n", p, e.getLong("waiting"), e.getLong("dueNow"));
        }
        out.stdout().printf("%-8s  %8d  %8d%n", "all", q.getLong("waiting"), q.getLong("dueNow"));
        out.stdout().printf("oldest due: %s (%.1f s late)%n", Table.text(q.getString("oldestDueAt")),
                q.getDouble("oldestDueLagSeconds"));
        out.stdout().printf("leased: %d, parked: %d%n", q.getLong("leased"), q.getLong("parked"));
        out.stdout().printf("dial rate: %.2f/s (%d attempts in the last minute)%n", q.getDouble("dialRatePerSecond"),
                q.getLong("attemptsLastMinute"));
        return Output.OK;
    }
}
