package io.huibo.contacts;

import io.huibo.domain.PhoneNumber;

/** A request names a number on the do-not-call list: refused (422), nothing stored or queued. */
public final class DoNotCallException extends RuntimeException {

    private final transient PhoneNumber number;
    private final String reason;

    public DoNotCallException(PhoneNumber number, String reason) {
        // the message goes to clients, who sent the number themselves; the reason is the operator's note
        super("the number " + number.value() + " is on the do-not-call list" + (reason == null ? "" : ": " + reason),
                null, false, false);
        this.number = number;
        this.reason = reason;
    }

    public PhoneNumber number() {
        return number;
    }

    /** Null when it was listed without one. */
    public String reason() {
        return reason;
    }

    /** The first DoNotCallException in {@code t}'s causes (futures and executors wrap it), or null. */
    public static DoNotCallException in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DoNotCallException e) {
                return e;
            }
        }
        return null;
    }
}
