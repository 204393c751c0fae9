package io.huibo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock shifted by an offset the test sets and moves: time goes on as usual, and a test can
 * put one instance a minute ahead of the others, or jump past a timeout without waiting for it.
 */
public final class ShiftedClock extends Clock {
    private volatile Duration offset;

    public ShiftedClock(Duration offset) {
        this.offset = offset;
    }

    public void shift(Duration by) {
        offset = offset.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }
}
