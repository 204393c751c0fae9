package io.huibo.store;

import io.huibo.domain.CallState;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import java.time.Instant;

/**
 * One row of {@code callback_events} as the event stream and the webhooks show it.
 *
 * @param kind    {@link #STATE} (a state change; {@code from} null for the creation) or {@link #ATTEMPT}
 *                (an attempt result: {@code attempt}, {@code outcome}, {@code failedLeg}, {@code hangupCause},
 *                {@code node})
 * @param number  the callback's number (leg A of a customer-first callback)
 */
public record StoredEvent(long id, String callbackId, String number, Instant at, String kind, CallState from,
                          CallState to, String detail, Integer attempt, Outcome outcome, Leg failedLeg,
                          Integer hangupCause, String node) {
    public static final String STATE = "state";
    public static final String ATTEMPT = "attempt";
}
