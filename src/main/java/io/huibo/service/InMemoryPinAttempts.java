package io.huibo.service;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PinAttempts} of one process, by the injected clock: the same rules as {@link RedisPinAttempts}
 * (its Lua script), so they are tested here with a clock that can be moved.
 */
public final class InMemoryPinAttempts implements PinAttempts {

    /** Failures since {@code windowEnds - pinWindow}; a lockout until {@code lockedUntil} (null: none). */
    private record State(int failures, Instant windowEnds, Instant lockedUntil) {
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private final int maxWrongPins;
    private final Duration pinWindow;
    private final Duration lockout;
    private final Clock clock;

    public InMemoryPinAttempts(HuiboConfig.DialinGuards guards, Clock clock) {
        this.maxWrongPins = guards.maxWrongPins();
        this.pinWindow = guards.pinWindow();
        this.lockout = guards.lockout();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Future<Duration> lockedFor(PhoneNumber caller) {
        State s = current(caller.value(), clock.instant());
        return Future.succeededFuture(remaining(s, clock.instant()));
    }

    @Override
    public Future<Failure> failed(PhoneNumber caller) {
        Instant now = clock.instant();
        State[] after = new State[1];
        boolean[] lockedNow = new boolean[1];
        states.compute(caller.value(), (k, old) -> {
            State s = live(old, now);
            if (s != null && s.lockedUntil() != null) {
                after[0] = s;
                return s;
            }
            int n = s == null ? 1 : s.failures() + 1;
            Instant windowEnds = s == null ? now.plus(pinWindow) : s.windowEnds();
            if (n >= maxWrongPins) {
                lockedNow[0] = true;
                after[0] = new State(0, now, now.plus(lockout));
            } else {
                after[0] = new State(n, windowEnds, null);
            }
            return after[0];
        });
        State s = after[0];
        return Future.succeededFuture(new Failure(lockedNow[0] ? maxWrongPins : s.failures(), remaining(s, now),
                lockedNow[0]));
    }

    @Override
    public Future<Void> succeeded(PhoneNumber caller) {
        Instant now = clock.instant();
        states.computeIfPresent(caller.value(), (k, old) -> {
            State s = live(old, now);
            return s == null || s.lockedUntil() == null ? null : s;
        });
        return Future.succeededFuture();
    }

    private State current(String caller, Instant now) {
        return live(states.get(caller), now);
    }

    /** The state as of now: an expired lockout or window is no state at all. */
    private static State live(State s, Instant now) {
        if (s == null) {
            return null;
        }
        if (s.lockedUntil() != null) {
            return now.isBefore(s.lockedUntil()) ? s : null;
        }
        return now.isBefore(s.windowEnds()) ? s : null;
    }

    private static Duration remaining(State s, Instant now) {
        return s == null || s.lockedUntil() == null ? Duration.ZERO : Duration.between(now, s.lockedUntil());
    }
}
