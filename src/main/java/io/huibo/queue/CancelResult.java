package io.huibo.queue;

/** What {@link CallbackQueue#cancel} did. */
public enum CancelResult {
    /** It was waiting in a ready set and is gone. */
    CANCELLED,
    /** Someone holds it (leased), or an attempt of it may still be live on a PBX: not removed. */
    BUSY,
    /** Neither ready nor leased. */
    NOT_FOUND
}
