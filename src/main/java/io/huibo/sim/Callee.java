package io.huibo.sim;

import java.time.Duration;

/**
 * How the person (or trunk) a Dial() rings behaves on this call. {@code talk} is how long they talk once
 * bridged before hanging up; null when they stay until the other side ends.
 */
record Callee(String number, Scenario.Outcome outcome, Duration answerAfter, Duration talk) {}
