package io.huibo.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A request to be called back. Immutable: every change makes a new value.
 *
 * @param number      leg A for customer-first flows: the person who asked
 * @param destination the number, queue or extension to connect; null when the caller keys it in
 *                    once called back (dial-in without a stored destination)
 * @param priority    0-9, higher is dialed first
 * @param attempts    attempts made so far
 * @param flow        which side is called first
 * @param confirm     whether leg A must press 1 before leg B is dialed
 * @param calling     its retry profile, calling window and callee time zone (io.huibo.policy)
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
        Instant updatedAt,
        CallFlow flow,
        boolean confirm,
        Calling calling) {

    /**
     * How a callback is called (io.huibo.policy): the retry profile's name (null: the default
     * profile), the last moment it may be dialed (null: no limit) and the callee's IANA time zone
     * (null: taken from the number).
     */
    public record Calling(String profile, Instant notAfter, String timeZone) {
        public static final Calling DEFAULT = new Calling(null, null, null);
    }

    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 9;
    public static final int DEFAULT_PRIORITY = 0;
    public static final int MIN_ATTEMPTS = 1;
    public static final int MAX_ATTEMPTS = 10;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int MAX_METADATA_BYTES = 4096;
    /**
     * A request asks for at most {@link #MAX_ATTEMPTS}; each requeue adds a fresh budget on top of the
     * attempts made (numbers go on, so no ChannelId repeats), up to what the column holds (TINYINT).
     */
    public static final int MAX_TOTAL_ATTEMPTS = 127;

    public Callback {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(dueAt, "dueAt");
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority out of range");
        }
        if (maxAttempts < MIN_ATTEMPTS || maxAttempts > MAX_TOTAL_ATTEMPTS) {
            throw new IllegalArgumentException("maxAttempts out of range");
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        calling = calling == null ? Calling.DEFAULT : calling;
    }

    /** With the default calling policy. */
    public Callback(String id, PhoneNumber number, PhoneNumber destination, String callerId, int priority,
                    int maxAttempts, Map<String, String> metadata, String idempotencyKey, CallState state,
                    int attempts, Instant dueAt, Instant createdAt, Instant updatedAt, CallFlow flow,
                    boolean confirm) {
        this(id, number, destination, callerId, priority, maxAttempts, metadata, idempotencyKey, state, attempts,
                dueAt, createdAt, updatedAt, flow, confirm, Calling.DEFAULT);
    }

    /** A customer-first callback without confirmation. */
    public Callback(String id, PhoneNumber number, PhoneNumber destination, String callerId, int priority,
                    int maxAttempts, Map<String, String> metadata, String idempotencyKey, CallState state,
                    int attempts, Instant dueAt, Instant createdAt, Instant updatedAt) {
        this(id, number, destination, callerId, priority, maxAttempts, metadata, idempotencyKey, state, attempts,
                dueAt, createdAt, updatedAt, CallFlow.CUSTOMER_FIRST, false, Calling.DEFAULT);
    }

    /** Moves along the state machine; refuses a transition it does not allow. */
    public Callback withState(CallState next, Instant at) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("callback " + id + ": " + state + " -> " + next);
        }
        return as(next, attempts, at);
    }

    /**
     * The same callback as last seen in another state and attempt count; for mirroring what the
     * store recorded, not for deciding transitions.
     */
    public Callback as(CallState newState, int newAttempts, Instant at) {
        return new Callback(id, number, destination, callerId, priority, maxAttempts, metadata,
                idempotencyKey, newState, newAttempts, dueAt, createdAt, at, flow, confirm, calling);
    }

    public Callback withTimes(Instant due, Instant created, Instant updated) {
        return new Callback(id, number, destination, callerId, priority, maxAttempts, metadata,
                idempotencyKey, state, attempts, due, created, updated, flow, confirm, calling);
    }

    /** The number dialed for a leg, by the flow; null for a destination still to be keyed in. */
    public PhoneNumber numberFor(Leg leg) {
        boolean customer = (leg == Leg.A) == (flow == CallFlow.CUSTOMER_FIRST);
        return customer ? number : destination;
    }

    public boolean hasAttemptsLeft() {
        return attempts < maxAttempts;
    }
}
