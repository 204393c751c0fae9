package io.huibo.service;

import io.huibo.domain.CallFlow;
import io.huibo.domain.CallState;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Callback;
import io.huibo.domain.PhoneNumber;
import java.time.Instant;
import java.util.Map;

/**
 * A validated request for a callback, from whichever door it came in (HTTP, dial-in, CLI).
 *
 * @param webhook URL that gets a signed POST for each of its events; null for none
 * @param calling retry profile (null: the key's or the default), notAfter and time zone (io.huibo.policy)
 */
public record NewCallback(
        PhoneNumber number,
        PhoneNumber destination,
        Instant at,
        int priority,
        int maxAttempts,
        PhoneNumber callerId,
        Map<String, String> metadata,
        String idempotencyKey,
        CallFlow flow,
        boolean confirm,
        String webhook,
        Callback.Calling calling) {

    public NewCallback {
        calling = calling == null ? Callback.Calling.DEFAULT : calling;
    }

    /** With the default calling policy. */
    public NewCallback(PhoneNumber number, PhoneNumber destination, Instant at, int priority, int maxAttempts,
                       PhoneNumber callerId, Map<String, String> metadata, String idempotencyKey, CallFlow flow,
                       boolean confirm, String webhook) {
        this(number, destination, at, priority, maxAttempts, callerId, metadata, idempotencyKey, flow, confirm, webhook,
                Callback.Calling.DEFAULT);
    }

    /** Without a webhook. */
    public NewCallback(PhoneNumber number, PhoneNumber destination, Instant at, int priority, int maxAttempts,
                       PhoneNumber callerId, Map<String, String> metadata, String idempotencyKey, CallFlow flow,
                       boolean confirm) {
        this(number, destination, at, priority, maxAttempts, callerId, metadata, idempotencyKey, flow, confirm, null,
                Callback.Calling.DEFAULT);
    }

    /** The callback this request makes, queued under a new id, due at {@code at} or now if that has passed. */
    public Callback toQueued(Instant now) {
        Instant due = at == null || at.isBefore(now) ? now : at;
        return new Callback(CallbackIds.next(), number, destination, callerId == null ? null : callerId.value(),
                priority, maxAttempts, metadata, idempotencyKey, CallState.QUEUED, 0, due, now, now, flow, confirm,
                calling);
    }

    public NewCallback withWebhook(String url) {
        return new NewCallback(number, destination, at, priority, maxAttempts, callerId, metadata, idempotencyKey,
                flow, confirm, url, calling);
    }

    public NewCallback withCalling(Callback.Calling c) {
        return new NewCallback(number, destination, at, priority, maxAttempts, callerId, metadata, idempotencyKey,
                flow, confirm, webhook, c);
    }
}
