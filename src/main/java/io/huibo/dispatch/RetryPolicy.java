package io.huibo.dispatch;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.policy.CallingWindow;
import io.huibo.policy.Profiles;
import io.huibo.policy.RetryProfile;
import io.huibo.policy.RetryReason;
import io.huibo.policy.RetryRule;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * What happens to a callback after one of its attempts ended, by its retry profile (io.huibo.policy):
 * complete, retry after the rule's delay, give up (no attempts left, or a number that cannot be
 * reached), or expire (the retry would fall past its window). Pure but for the jitter's random source.
 */
public final class RetryPolicy {

    public sealed interface Decision {
        record Complete() implements Decision {
        }

        record Retry(Instant at) implements Decision {
        }

        record GiveUp() implements Decision {
        }

        /** The next retry would be past the callback's window (notAfter, the profile's expiry). */
        record Expire(String reason) implements Decision {
        }
    }

    /** Name of the profile dispatch.retry* describe, unless calling.profiles defines one of that name. */
    public static final String BUILT_IN = "default";

    private final Profiles profiles;
    private final DoubleSupplier random;

    /** Only the built-in profile, from these fixed delays. */
    public RetryPolicy(Duration busy, Duration noAnswer, Duration congestion, Duration failed) {
        this(Profiles.only(RetryProfile.builtIn(BUILT_IN, busy, noAnswer, congestion, failed)),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in [0, 1), for the jitter (injected so tests know it) */
    public RetryPolicy(Profiles profiles, DoubleSupplier random) {
        this.profiles = profiles;
        this.random = random;
    }

    public static RetryPolicy from(HuiboConfig.Dispatch d) {
        return new RetryPolicy(d.retryBusy(), d.retryNoAnswer(), d.retryCongestion(), d.retryFailed());
    }

    /** The built-in profile of these settings. */
    public static RetryProfile builtIn(HuiboConfig.Dispatch d) {
        return RetryProfile.builtIn(BUILT_IN, d.retryBusy(), d.retryNoAnswer(), d.retryCongestion(), d.retryFailed());
    }

    public Profiles profiles() {
        return profiles;
    }

    /**
     * @param attemptsMade attempts including the one that just ended
     */
    public Decision decide(Callback cb, int attemptsMade, Outcome outcome, Instant now) {
        return decide(cb, attemptsMade, outcome, null, null, now);
    }

    /** As above, the failed leg and hangup cause refining the reason (unavailable, leg B, invalid number). */
    public Decision decide(Callback cb, int attemptsMade, Outcome outcome, Leg failedLeg, Integer hangupCause,
                           Instant now) {
        if (outcome.isSuccess()) {
            return new Decision.Complete();
        }
        RetryReason reason = RetryReason.of(outcome, failedLeg, hangupCause);
        if (reason == RetryReason.INVALID_NUMBER || attemptsMade >= cb.maxAttempts()) {
            return new Decision.GiveUp();
        }
        RetryProfile profile = profiles.of(cb.calling().profile());
        RetryRule rule = profiles.rule(profile, reason, outcome);
        if (!rule.allowsAnother(attemptsMade)) {
            return new Decision.GiveUp();
        }
        Instant at = now.plus(rule.delay(attemptsMade, random));
        CallingWindow window = CallingWindow.of(cb, profile);
        if (window.over(at)) {
            return new Decision.Expire("the next retry (" + at + ") would be past " + window.why());
        }
        return new Decision.Retry(at);
    }

}
