package io.huibo.api;

import io.huibo.domain.Attempt;
import io.huibo.domain.Callback;
import io.huibo.service.CallbackView;
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
                    .put("detail", a.detail()));
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

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
