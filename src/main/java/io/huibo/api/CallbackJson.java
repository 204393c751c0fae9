package io.huibo.api;

import io.huibo.domain.Attempt;
import io.huibo.domain.Callback;
import io.huibo.service.CallbackView;
import io.huibo.store.RouteTryStore;
import io.huibo.store.WebhookOutbox;
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

    /** A callback without its attempts: the shape of lists and of requeue and reschedule answers. */
    static JsonObject summary(Callback cb) {
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
                .put("profile", cb.calling().profile())
                .put("notAfter", iso(cb.calling().notAfter()))
                .put("timeZone", cb.calling().timeZone());
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
        return summary(cb)
                .put("attempts", attempts)
                .put("webhooks", webhooks(view))
                .put("position", view.placing() == null ? null : view.placing().position())
                .put("eta", view.placing() == null ? null : iso(view.placing().eta()));
    }

    /** The webhook deliveries of the callback's events, oldest first. */
    private static JsonArray webhooks(CallbackView view) {
        JsonArray out = new JsonArray();
        for (WebhookOutbox.Delivery d : view.webhooks()) {
            out.add(new JsonObject()
                    .put("id", d.id())
                    .put("eventId", d.eventId())
                    .put("url", d.url())
                    .put("status", d.status())
                    .put("attempts", d.attempts())
                    .put("lastStatus", d.lastStatus())
                    .put("lastError", d.lastError())
                    .put("nextAttemptAt", WebhookOutbox.PENDING.equals(d.status()) ? iso(d.nextAt()) : null)
                    .put("deliveredAt", iso(d.deliveredAt())));
        }
        return out;
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
