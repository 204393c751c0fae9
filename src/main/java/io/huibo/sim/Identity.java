package io.huibo.sim;

import io.vertx.core.json.JsonObject;

/** A caller identity as a callee sees it (number and display name; name "" when none was sent). */
record Identity(String num, String name) {
    /** What a Dial() from {@code caller} presents to the callee, as Asterisk 20 does over PJSIP. */
    static Identity presentedBy(SimChannel caller) {
        if (!caller.callerNum().isEmpty()) {
            return new Identity(caller.callerNum(), caller.callerName());
        }
        if (caller.isLocal()) {
            // chan_local has no caller of its own: From: <sip:s@host> carries the half's extension
            return new Identity(caller.exten, "");
        }
        return new Identity("anonymous", "Anonymous");
    }

    JsonObject toJson() {
        return new JsonObject().put("num", num).put("name", name);
    }

    /**
     * A connected-line update reaches {@code to}; through a Local pair it goes on to whatever the other half
     * is bridged to, as chan_local forwards AST_CONTROL_CONNECTED_LINE frames.
     */
    static void deliver(SimChannel to, Identity id) {
        SimChannel c = to;
        for (int hops = 0; c != null && hops < 8; hops++) {
            c.connectedUpdates.add(id);
            SimChannel partner = c.localPartner;
            c = partner == null ? null : partner.bridgePeer;
        }
    }
}
