package io.huibo.sim;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An Originate the node queued but could not place (unknown channel type, channel limit): no channel
 * came up, the OriginateResponse said Failure. Listed by GET /calls like a call, so that every
 * Originate the sim saw is there.
 */
record UnplacedOriginate(String node, SimCall.Request req, Instant at) implements CallLog.Entry {
    @Override
    public JsonObject toJson() {
        return new JsonObject().put("kind", "callback").put("node", node).put("channelId", req.channelId())
            .put("callbackId", req.variables().get("HUIBO_CALLBACK")).put("attempt", req.variables().get("HUIBO_ATTEMPT"))
            .putNull("legA").putNull("legB").put("outcome", "failed").putNull("legBOutcome")
            .put("triesA", 0).put("triesB", 0).putNull("collected").put("dropped", false)
            .put("startedAt", at.toString()).put("endedAt", at.toString()).put("live", false)
            .put("placed", false).put("variables", new JsonObject(new java.util.LinkedHashMap<>(req.variables())))
            .putNull("shownToA").putNull("shownToB").put("updatesToA", new io.vertx.core.json.JsonArray());
    }
}
