package io.huibo.queue;

/** What {@link CallbackQueue#markDialing} did. */
public enum MarkResult {
    /** The attempt is recorded; the Originate may be sent. */
    MARKED,
    /** The caller no longer holds the callback's lease with its fence: another claim has it. */
    LEASE_LOST,
    /** The node is not the caller's any more (token, lease expired) or is draining: dial elsewhere. */
    NODE_REFUSED
}
