package io.huibo.service;

import io.huibo.domain.CallFlow;
import io.huibo.domain.PhoneNumber;
import java.time.Instant;
import java.util.Map;

/**
 * A validated request for a callback, from whichever door it came in (HTTP, dial-in, CLI).
 *
 * @param webhook URL that gets a signed POST for each of its events; null for none
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
        String webhook) {

    /** Without a webhook. */
    public NewCallback(PhoneNumber number, PhoneNumber destination, Instant at, int priority, int maxAttempts,
                       PhoneNumber callerId, Map<String, String> metadata, String idempotencyKey, CallFlow flow,
                       boolean confirm) {
        this(number, destination, at, priority, maxAttempts, callerId, metadata, idempotencyKey, flow, confirm, null);
    }

    public NewCallback withWebhook(String url) {
        return new NewCallback(number, destination, at, priority, maxAttempts, callerId, metadata, idempotencyKey,
                flow, confirm, url);
    }
}
