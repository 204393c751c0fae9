package io.huibo.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Outcome;
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
}
