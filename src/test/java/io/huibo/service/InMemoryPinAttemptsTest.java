package io.huibo.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.PhoneNumber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryPinAttemptsTest {

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-12-07T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final PhoneNumber CALLER = PhoneNumber.of("+4930111111");
    private static final PhoneNumber OTHER = PhoneNumber.of("+4930222222");
    private final MovableClock clock = new MovableClock();
    private final InMemoryPinAttempts attempts = new InMemoryPinAttempts(new HuiboConfig.DialinGuards(List.of(), 3,
            Duration.ofMinutes(10), Duration.ofMinutes(30), false), clock);

    private PinAttempts.Failure fail(PhoneNumber n) {
        return attempts.failed(n).result();
    }

    private Duration locked(PhoneNumber n) {
        return attempts.lockedFor(n).result();
    }

    @Test
    void theNthWrongPinWithinTheWindowLocksTheCallerOutForTheLockout() {
        assertThat(fail(CALLER)).isEqualTo(new PinAttempts.Failure(1, Duration.ZERO, false));
        clock.advance(Duration.ofMinutes(4));
        assertThat(fail(CALLER)).isEqualTo(new PinAttempts.Failure(2, Duration.ZERO, false));
        assertThat(locked(CALLER)).isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(fail(CALLER)).isEqualTo(new PinAttempts.Failure(3, Duration.ofMinutes(30), true));
        assertThat(locked(CALLER)).isEqualTo(Duration.ofMinutes(30));
        assertThat(locked(OTHER)).as("per caller").isZero();

        // locked: more wrong PINs neither count nor extend it, a right one does not lift it
        clock.advance(Duration.ofMinutes(10));
        assertThat(fail(CALLER)).isEqualTo(new PinAttempts.Failure(0, Duration.ofMinutes(20), false));
        attempts.succeeded(CALLER);
        assertThat(locked(CALLER)).isEqualTo(Duration.ofMinutes(20));

        clock.advance(Duration.ofMinutes(20).minusMillis(1));
        assertThat(locked(CALLER)).isEqualTo(Duration.ofMillis(1));
        clock.advance(Duration.ofMillis(1));
        assertThat(locked(CALLER)).as("the lockout is over").isZero();
        assertThat(fail(CALLER)).as("and the count starts again").isEqualTo(new PinAttempts.Failure(1, Duration.ZERO, false));
    }

    @Test
    void wrongPinsOlderThanTheWindowNoLongerCount() {
        fail(CALLER);
        fail(CALLER);
        // the window runs from the first failure
        clock.advance(Duration.ofMinutes(10));
        assertThat(fail(CALLER)).isEqualTo(new PinAttempts.Failure(1, Duration.ZERO, false));
        clock.advance(Duration.ofMinutes(9));
        assertThat(fail(CALLER).failures()).isEqualTo(2);
        assertThat(fail(CALLER).lockedNow()).isTrue();
    }

    @Test
    void aRightPinClearsTheCount() {
        fail(CALLER);
        fail(CALLER);
        attempts.succeeded(CALLER);
        assertThat(fail(CALLER).failures()).isEqualTo(1);
        assertThat(fail(CALLER).failures()).isEqualTo(2);
        assertThat(locked(CALLER)).isZero();
    }
}
