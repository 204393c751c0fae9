package io.huibo.store;

import io.huibo.domain.CallState;

import java.time.Instant;

/** One row of a callback's state history. */
public record StateChange(String callbackId, Instant at, CallState from, CallState to, String detail) {
}
