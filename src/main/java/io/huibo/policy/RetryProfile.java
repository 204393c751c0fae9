package io.huibo.policy;

import io.huibo.domain.Outcome;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * A named way of calling: how each kind of failure is retried, how long a callback may go on at all
 * ({@code expiry}, from its creation; null for no limit) and when its callees may be called.
 *
 * @param rules  by reason; a reason without a rule uses its outcome's ({@link RetryReason#fallback}),
 *               and an outcome without one the built-in default's
 */
public record RetryProfile(String name, Map<RetryReason, RetryRule> rules, Duration expiry, QuietHours quietHours) {
    /** A profile's name, as config, requests and keys give it. */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public RetryProfile {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a profile name is 1-64 of letters, digits, _ . -: " + name);
        }
        Map<RetryReason, RetryRule> copy = new EnumMap<>(RetryReason.class);
        copy.putAll(rules);
        rules = Map.copyOf(copy);
        quietHours = quietHours == null ? QuietHours.NONE : quietHours;
        if (expiry != null && (expiry.isNegative() || expiry.isZero())) {
            throw new IllegalArgumentException("expiry must be positive");
        }
    }

    /** The profile dispatch.retry* describe: one fixed delay per outcome, no expiry, no quiet hours. */
    public static RetryProfile builtIn(String name, Duration busy, Duration noAnswer, Duration congestion,
                                       Duration failed) {
        return new RetryProfile(name, Map.of(
                RetryReason.BUSY, RetryRule.fixed(busy),
                RetryReason.NO_ANSWER, RetryRule.fixed(noAnswer),
                RetryReason.CONGESTION, RetryRule.fixed(congestion),
                RetryReason.FAILED, RetryRule.fixed(failed)), null, QuietHours.NONE);
    }

    /** The rule for a reason, falling back as described above; null: this profile has none. */
    public RetryRule rule(RetryReason reason, Outcome outcome) {
        RetryRule r = rules.get(reason);
        return r != null ? r : rules.get(reason.fallback(outcome));
    }
}
