package io.huibo.service;

/** What a cancel request found. */
public enum CancelOutcome {
    CANCELLED, NOT_FOUND, TOO_LATE
}
