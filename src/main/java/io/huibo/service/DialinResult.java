package io.huibo.service;

/** What the dial-in hook tells the dialplan (HUIBO_RESULT), with the callback it registered if any. */
public record DialinResult(Kind kind, String callbackId, String reason) {

    /** The dialplan's branches of [huibo-dialin]. */
    public enum Kind {
        /** A callback is registered (or was already pending): hang up, unanswered when possible. */
        QUEUED,
        /** Answer and read a PIN, then ask again with step=pin. */
        PIN,
        /** Answer and read the destination, then ask again with step=destination. */
        COLLECT,
        /** Not allowed (unknown caller, wrong PIN, bad digits, or Huibo could not register). */
        REFUSED;

        public String wire() {
            return name().toLowerCase();
        }
    }

    public static DialinResult queued(String callbackId) {
        return new DialinResult(Kind.QUEUED, callbackId, null);
    }

    public static DialinResult ask(Kind kind) {
        return new DialinResult(kind, null, null);
    }

    public static DialinResult refused(String reason) {
        return new DialinResult(Kind.REFUSED, null, reason);
    }
}
