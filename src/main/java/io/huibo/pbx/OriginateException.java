package io.huibo.pbx;

/**
 * Why {@link AmiNode#originate} failed. The kind tells the caller whether the call may still exist on
 * the node: only NOT_SENT is certain that nothing reached Asterisk. For every other kind the node
 * keeps tracking the attempt and emits exactly one {@link AttemptResult} for it later.
 */
public final class OriginateException extends RuntimeException {

    public enum Kind {
        /** Not written to AMI (node not connected, full, or stopping). No AttemptResult follows. */
        NOT_SENT,
        /** Asterisk answered {@code Response: Error}. An AttemptResult (FAILED, leg A) follows at once. */
        REJECTED,
        /** No response within the action timeout. The call may be live; an AttemptResult follows. */
        TIMEOUT,
        /** The connection dropped before the response (asterisk-java answered null). An AttemptResult follows. */
        DISCONNECTED
    }

    private final Kind kind;

    public OriginateException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True when an {@link AttemptResult} will be emitted for this attempt. */
    public boolean resultFollows() {
        return kind != Kind.NOT_SENT;
    }
}
