package io.huibo.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A request to be called back. Immutable: every change makes a new value.
 *
 * @param number      leg A for customer-first flows: the person who asked
 * @param destination leg B: the number, queue or extension to connect
 * @param priority    0-9, higher is dialed first
 * @param attempts    attempts made so far
 */
public record Callback(
        String id,
        PhoneNumber number,
        PhoneNumber destination,
        String callerId,
        int priority,
        int maxAttempts,
        Map<String, String> metadata,
        String idempotencyKey,
        CallState state,
        int attempts,
        Instant dueAt,
        Instant createdAt,
        Instant updatedAt) {

    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 9;
    public static final int DEFAULT_PRIORITY = 0;
    public static final int MIN_ATTEMPTS = 1;
    public static final int MAX_ATTEMPTS = 10;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int MAX_METADATA_BYTES = 4096;

    public Callback {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(dueAt, "dueAt");
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority out of range");
        }
        if (maxAttempts < MIN_ATTEMPTS || maxAttempts > MAX_ATTEMPTS) {
            throw new IllegalArgumentException("maxAttempts out of range");
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public Callback withState(CallState next, Instant at) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("callback " + id + ": " + state + " -> " + next);
        }
        return new Callback(id, number, destination, callerId, priority, maxAttempts, metadata,
                idempotencyKey, next, attempts, dueAt, createdAt, at);
    }

    public boolean hasAttemptsLeft() {
        return attempts < maxAttempts;
    }
}
