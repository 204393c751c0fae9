package io.huibo.service;

import io.huibo.domain.Callback;

/**
 * The stored callback, and whether this request created it or repeated an earlier one; a repeat is
 * a {@code duplicate} when it was matched not by its idempotency key but as a second active callback
 * of the same number and destination (deduplication).
 */
public record Submission(Callback callback, boolean repeat, boolean duplicate) {
    public Submission(Callback callback, boolean repeat) {
        this(callback, repeat, false);
    }
}
