package io.huibo.policy;

import io.huibo.domain.Callback;
import java.time.Instant;

/**
 * The time a callback may be dialed in: up to its request's {@code notAfter} and its profile's expiry
 * (counted from its creation), whichever comes first. {@code at} (not before) is its due time, which
 * the queue keeps. Pure.
 *
 * @param deadline the last instant it may be dialed; null: none
 * @param why      what set the deadline, for the history of an expired callback
 */
public record CallingWindow(Instant deadline, String why) {
    public static CallingWindow of(Callback cb, RetryProfile profile) {
        Instant notAfter = cb.calling().notAfter();
        Instant expiry = profile.expiry() == null || cb.createdAt() == null ? null : cb.createdAt().plus(profile.expiry());
        if (notAfter != null && (expiry == null || !expiry.isBefore(notAfter))) {
            return new CallingWindow(notAfter, "notAfter " + notAfter);
        }
        if (expiry != null) {
            return new CallingWindow(expiry, "profile " + profile.name() + " expiry " + profile.expiry() + " (at "
                    + expiry + ")");
        }
        return new CallingWindow(null, null);
    }

    /** Whether {@code t} is past the deadline: a dial or retry then would be too late. */
    public boolean over(Instant t) {
        return deadline != null && t.isAfter(deadline);
    }
}
