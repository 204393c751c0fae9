package io.huibo.api;

import io.huibo.domain.Attempt;
import io.huibo.domain.Callback;
import io.huibo.service.CallbackView;
import io.huibo.store.RouteTryStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The JSON shapes of callbacks and attempts. */
final class CallbackJson {
    private CallbackJson() {
    }

    static JsonObject accepted(Callback cb) {
        return new JsonObject().put("id", cb.id()).put("state", cb.state().wire()).put("dueAt", iso(cb.dueAt()));
    }

    static JsonObject full(CallbackView view) {
        Callback cb = view.callback();
        JsonArray attempts = new JsonArray();
        for (Attempt a : view.attempts()) {
            attempts.add(new JsonObject()
                    .put("number", a.number())
                    .put("node", a.nodeId())
                    .put("channelId", a.channelId())
                    .put("startedAt", iso(a.startedAt()))
                    .put("answeredAt", iso(a.answeredAt()))
                    .put("endedAt", iso(a.endedAt()))
                    .put("outcome", a.outcome() == null ? null : a.outcome().wire())
                    .put("failedLeg", a.failedLeg() == null ? null : a.failedLeg().wire())
                    .put("hangupCause", a.hangupCause())
                    .put("detail", a.detail())
                    .put("tries", tries(view, a.number())));
        }
        return new JsonObject()
                .put("id", cb.id())
                .put("state", cb.state().wire())
                .put("number", cb.number().value())
                .put("destination", cb.destination() == null ? null : cb.destination().value())
                .put("flow", cb.flow().wire())
                .put("confirm", cb.confirm())
                .put("callerId", cb.callerId())
                .put("priority", cb.priority())
                .put("maxAttempts", cb.maxAttempts())
                .put("attemptCount", cb.attempts())
                .put("metadata", new JsonObject(new java.util.LinkedHashMap<>(cb.metadata())))
                .put("dueAt", iso(cb.dueAt()))
                .put("createdAt", iso(cb.createdAt()))
                .put("updatedAt", iso(cb.updatedAt()))
                .put("attempts", attempts);
    }

    /** The routes tried in one attempt (dialplan reports), leg A first, in failover order. */
    private static JsonArray tries(CallbackView view, int attempt) {
        JsonArray out = new JsonArray();
        for (RouteTryStore.RouteTry t : view.tries(attempt)) {
            out.add(new JsonObject()
                    .put("leg", t.leg().wire())
                    .put("try", t.tryIndex())
                    .put("trunk", t.trunkId())
                    .put("dialString", t.dialString())
                    .put("dialStatus", t.dialStatus())
                    .put("cause", t.cause())
                    .put("at", iso(t.at())));
        }
        return out;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
