package io.huibo.queue;

/** What {@link CallbackQueue#markDialingOnNode} did. */
public enum MarkResult {
    /** The attempt is recorded; the Originate may be sent. */
    MARKED,
    /** The caller no longer holds the callback's lease: another instance has it. */
    LEASE_LOST,
    /** The node is not the caller's any more (fencing token) or is draining: dial elsewhere. */
    NODE_REFUSED
}
