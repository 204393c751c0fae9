package io.huibo.api;

import io.huibo.queue.QueueHistory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/queue/history}: the schedule's figures sampled over the last hour (see
 * {@link QueueHistory}): {@code {"periodSeconds","windowSeconds","samples":[{"at","waiting","dueNow",
 * "leased","parked","dialRatePerSecond"}]}}, oldest first.
 */
public final class QueueHistoryApi implements ApiRoutes {
    private final QueueHistory history;

    public QueueHistoryApi(QueueHistory history) {
        this.history = history;
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/queue/history").handler(this::history);
    }

    private void history(RoutingContext ctx) {
        if (!ctx.queryParams().isEmpty()) {
            String name = ctx.queryParams().names().iterator().next();
            throw new InvalidRequestException(name, "unknown parameter '" + name + "'");
        }
        JsonArray samples = new JsonArray();
        for (QueueHistory.Sample s : history.samples()) {
            samples.add(new JsonObject()
                    .put("at", s.at().toString())
                    .put("waiting", s.waiting())
                    .put("dueNow", s.dueNow())
                    .put("leased", s.leased())
                    .put("parked", s.parked())
                    .put("dialRatePerSecond", Math.round(s.dialRatePerSecond() * 100) / 100.0));
        }
        ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("periodSeconds", history.period().toSeconds())
                        .put("windowSeconds", history.window().toSeconds())
                        .put("samples", samples).encode());
    }
}
