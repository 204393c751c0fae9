package io.huibo.service;

import io.huibo.domain.CallFlow;
import io.huibo.domain.PhoneNumber;
import java.time.Instant;
import java.util.Map;

/** A validated request for a callback, from whichever door it came in (HTTP, dial-in, CLI). */
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
        boolean confirm) {
}
