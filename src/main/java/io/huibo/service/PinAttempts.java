package io.huibo.service;

import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Wrong PINs per caller ID, and the lockout they lead to (config {@code dialinGuards}): after
 * {@code maxWrongPins} wrong PINs within {@code pinWindow} of the first of them, the caller is locked
 * out for {@code lockout}, whatever it keys in. A right PIN clears the count (not a lockout). Shared by
 * every instance ({@link RedisPinAttempts}); {@link InMemoryPinAttempts} for one process and tests.
 */
public interface PinAttempts {

    /** What a wrong PIN led to: the failures counted in the window, and the lockout if there is one now. */
    record Failure(int failures, Duration lockedFor, boolean lockedNow) {
        public boolean locked() {
            return !lockedFor.isZero();
        }
    }

    /** How much longer the caller is locked out; zero when it is not. */
    Future<Duration> lockedFor(PhoneNumber caller);

    /** Counts a wrong PIN; the lockout starts with the one that reaches the limit. */
    Future<Failure> failed(PhoneNumber caller);

    /** A right PIN: the wrong ones before it no longer count. */
    Future<Void> succeeded(PhoneNumber caller);
}
