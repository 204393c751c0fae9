package io.huibo.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.policy.Profiles;
import io.huibo.policy.RetryProfile;
import io.huibo.policy.RetryReason;
import io.huibo.policy.RetryRule;
import io.huibo.domain.PhoneNumber;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(60), Duration.ofSeconds(300),
            Duration.ofSeconds(30), Duration.ofSeconds(120));
    private final Instant now = Instant.parse("2026-11-25T10:00:00Z");

    private Callback callback(int maxAttempts) {
        return new Callback(CallbackIds.next(), PhoneNumber.e164("+8613800138000"), PhoneNumber.of("100"), null, 0,
                maxAttempts, null, null, CallState.DIALING, 1, now, now, now);
    }

    @Test
    void connectedCompletes() {
        assertThat(policy.decide(callback(3), 1, Outcome.CONNECTED, now))
                .isInstanceOf(RetryPolicy.Decision.Complete.class);
    }

    @Test
    void eachOutcomeWaitsItsOwnDelay() {
        assertThat(policy.decide(callback(3), 1, Outcome.BUSY, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(60)));
        assertThat(policy.decide(callback(3), 1, Outcome.NO_ANSWER, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(300)));
        assertThat(policy.decide(callback(3), 2, Outcome.CONGESTION, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(30)));
        assertThat(policy.decide(callback(3), 2, Outcome.FAILED, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(120)));
    }

    @Test
    void givesUpAfterMaxAttempts() {
        assertThat(policy.decide(callback(3), 3, Outcome.BUSY, now)).isInstanceOf(RetryPolicy.Decision.GiveUp.class);
        assertThat(policy.decide(callback(1), 1, Outcome.NO_ANSWER, now))
                .isInstanceOf(RetryPolicy.Decision.GiveUp.class);
    }

    // ---- retry profiles

    private final RetryProfile sales = new RetryProfile("sales", java.util.Map.of(
            RetryReason.BUSY, new RetryRule(Duration.ofSeconds(60), 2.0, Duration.ofSeconds(300), 0.1, 0),
            RetryReason.LEG_B_FAILED, RetryRule.fixed(Duration.ofSeconds(5)),
            RetryReason.NO_ANSWER, new RetryRule(Duration.ofSeconds(10), 1, Duration.ofSeconds(10), 0, 2)),
            Duration.ofHours(1), null);
    private final RetryPolicy profiled = new RetryPolicy(new Profiles(RetryProfile.builtIn("default",
            Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofSeconds(30), Duration.ofSeconds(120)),
            java.util.Map.of("sales", sales), "default"), () -> 0.5);

    private Callback callback(String profile, Instant notAfter, int maxAttempts) {
        return new Callback(CallbackIds.next(), PhoneNumber.e164("+8613800138000"), PhoneNumber.of("100"), null, 0,
                maxAttempts, null, null, CallState.DIALING, 1, now, now, now, io.huibo.domain.CallFlow.CUSTOMER_FIRST,
                false, new Callback.Calling(profile, notAfter, null));
    }

    @Test
    void aProfilesBackoffGrowsUpToItsCap() {
        Callback cb = callback("sales", null, 10);
        java.util.List<Instant> at = new java.util.ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            at.add(((RetryPolicy.Decision.Retry) profiled.decide(cb, n, Outcome.BUSY, Leg.A, 17, now)).at());
        }
        assertThat(at).containsExactly(now.plusSeconds(60), now.plusSeconds(120), now.plusSeconds(240),
                now.plusSeconds(300), now.plusSeconds(300));
    }

    @Test
    void theJitterComesFromTheInjectedRandom() {
        RetryPolicy low = new RetryPolicy(profiled.profiles(), () -> 0.0);
        assertThat(low.decide(callback("sales", null, 10), 1, Outcome.BUSY, Leg.A, 17, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(54)));
    }

    @Test
    void legBAndUnavailableHaveTheirOwnRulesOrTheirOutcomes() {
        assertThat(profiled.decide(callback("sales", null, 10), 1, Outcome.BUSY, Leg.B, 17, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(5)));
        // sales has no congestion rule: the built-in one's
        assertThat(profiled.decide(callback("sales", null, 10), 1, Outcome.CONGESTION, Leg.A, 20, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(30)));
    }

    @Test
    void anInvalidNumberIsNeverRetried() {
        assertThat(profiled.decide(callback("sales", null, 10), 1, Outcome.FAILED, Leg.A, 1, now))
                .isInstanceOf(RetryPolicy.Decision.GiveUp.class);
        assertThat(profiled.decide(callback(null, null, 10), 1, Outcome.FAILED, Leg.A, 28, now))
                .isInstanceOf(RetryPolicy.Decision.GiveUp.class);
    }

    @Test
    void aRulesMaxAttemptsGivesUpEarlier() {
        assertThat(profiled.decide(callback("sales", null, 10), 1, Outcome.NO_ANSWER, Leg.A, 19, now))
                .isInstanceOf(RetryPolicy.Decision.Retry.class);
        assertThat(profiled.decide(callback("sales", null, 10), 2, Outcome.NO_ANSWER, Leg.A, 19, now))
                .isInstanceOf(RetryPolicy.Decision.GiveUp.class);
    }

    @Test
    void aRetryPastNotAfterExpires() {
        RetryPolicy.Decision d = profiled.decide(callback("sales", now.plusSeconds(30), 10), 1, Outcome.BUSY, Leg.A,
                17, now);
        assertThat(d).isInstanceOf(RetryPolicy.Decision.Expire.class);
        assertThat(((RetryPolicy.Decision.Expire) d).reason()).contains("notAfter");
        assertThat(profiled.decide(callback("sales", now.plusSeconds(90), 10), 1, Outcome.BUSY, Leg.A, 17, now))
                .isInstanceOf(RetryPolicy.Decision.Retry.class);
    }

    @Test
    void aRetryPastTheProfilesExpiryExpires() {
        // created at now, expiry 1 h: the 5th busy retry (300 s) from 58 min later is past it
        RetryPolicy.Decision d = profiled.decide(callback("sales", null, 10), 5, Outcome.BUSY, Leg.A, 17,
                now.plus(Duration.ofMinutes(58)));
        assertThat(d).isInstanceOf(RetryPolicy.Decision.Expire.class);
        assertThat(((RetryPolicy.Decision.Expire) d).reason()).contains("expiry");
    }

    @Test
    void anUnknownStoredProfileIsRetriedByTheDefault() {
        assertThat(profiled.decide(callback("gone", null, 10), 1, Outcome.BUSY, Leg.A, 17, now))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(60)));
    }
}
