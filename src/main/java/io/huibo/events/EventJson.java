package io.huibo.events;

import io.huibo.store.StoredEvent;
import io.vertx.core.json.JsonObject;

/**
 * The JSON of one event, the same in {@code GET /v1/events} ({@code data:}) and in a webhook's body.
 * A state change: {@code {"id","type":"state","callbackId","number","at","from","to","detail"}} (from null
 * for the creation); an attempt result: {@code {"id","type":"attempt","callbackId","number","at","attempt",
 * "outcome","failedLeg","hangupCause","node"}}.
 */
public final class EventJson {
    private EventJson() {
    }

    public static JsonObject of(StoredEvent e) {
        JsonObject o = new JsonObject()
                .put("id", e.id())
                .put("type", e.kind())
                .put("callbackId", e.callbackId())
                .put("number", e.number())
                .put("at", e.at() == null ? null : e.at().toString());
        if (StoredEvent.ATTEMPT.equals(e.kind())) {
            o.put("attempt", e.attempt())
                    .put("outcome", e.outcome() == null ? null : e.outcome().wire())
                    .put("failedLeg", e.failedLeg() == null ? null : e.failedLeg().wire())
                    .put("hangupCause", e.hangupCause())
                    .put("node", e.node());
        } else {
            o.put("from", e.from() == null ? null : e.from().wire())
                    .put("to", e.to() == null ? null : e.to().wire())
                    .put("detail", e.detail());
        }
        return o;
    }

    /** One Server-Sent Events frame: the event id is the position a client resumes from. */
    static String frame(StoredEvent e) {
        return "id: " + e.id() + "\nevent: " + e.kind() + "\ndata: " + of(e).encode() + "\n\n";
    }
}
