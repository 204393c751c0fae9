package io.huibo.sim;

import io.vertx.core.json.JsonArray;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Every call seen by this sim process (all nodes, callbacks and dial-ins), for GET /calls. */
final class CallLog {
    /** One call as GET /calls shows it; {@code kind} tells callbacks from dial-ins. */
    interface Entry {
        io.vertx.core.json.JsonObject toJson();
    }

    private final ConcurrentLinkedQueue<Entry> calls = new ConcurrentLinkedQueue<>();

    void add(Entry c) {
        calls.add(c);
    }

    JsonArray snapshot() {
        JsonArray out = new JsonArray();
        for (Entry c : calls) {
            out.add(c.toJson());
        }
        return out;
    }
}
