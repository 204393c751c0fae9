package io.huibo.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryRuleTest {
    private static List<Long> seconds(RetryRule r, int n, double random) {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(r.delay(i, () -> random).toSeconds());
        }
        return out;
    }

    @Test
    void backoffDoublesUpToTheCap() {
        RetryRule r = new RetryRule(Duration.ofSeconds(60), 2.0, Duration.ofMinutes(10), 0, 0);
        assertThat(seconds(r, 7, 0.5)).containsExactly(60L, 120L, 240L, 480L, 600L, 600L, 600L);
    }

    @Test
    void jitterSpreadsByTheInjectedRandomAndNeverPassesTheCap() {
        RetryRule r = new RetryRule(Duration.ofSeconds(100), 2.0, Duration.ofSeconds(300), 0.2, 0);
        // random 0 is -20 %, 0.5 is none, just below 1 is +20 %
        assertThat(r.delay(1, () -> 0.0)).isEqualTo(Duration.ofSeconds(80));
        assertThat(r.delay(1, () -> 0.5)).isEqualTo(Duration.ofSeconds(100));
        assertThat(r.delay(2, () -> 0.75)).isEqualTo(Duration.ofSeconds(220));
        // 400 capped to 300, +20 % would be 360: still the cap
        assertThat(r.delay(3, () -> 0.999)).isEqualTo(Duration.ofSeconds(300));
        assertThat(r.delay(3, () -> 0.0)).isEqualTo(Duration.ofSeconds(240));
    }

    @Test
    void fixedIsTheSameEveryTime() {
        assertThat(seconds(RetryRule.fixed(Duration.ofSeconds(30)), 4, 0.9)).containsExactly(30L, 30L, 30L, 30L);
    }

    @Test
    void maxAttemptsOfTheRule() {
        RetryRule r = new RetryRule(Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 0, 3);
        assertThat(r.allowsAnother(2)).isTrue();
        assertThat(r.allowsAnother(3)).isFalse();
        assertThat(RetryRule.fixed(Duration.ofSeconds(1)).allowsAnother(100)).isTrue();
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new RetryRule(Duration.ofSeconds(10), 0.5, Duration.ofSeconds(10), 0, 0))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new RetryRule(Duration.ofSeconds(10), 2, Duration.ofSeconds(5), 0, 0))
                .hasMessageContaining("cap");
        assertThatThrownBy(() -> new RetryRule(Duration.ofSeconds(10), 2, Duration.ofSeconds(50), 1.0, 0))
                .hasMessageContaining("jitter");
    }

    @Test
    void reasonsFromOutcomeLegAndCause() {
        assertThat(RetryReason.of(io.huibo.domain.Outcome.BUSY, io.huibo.domain.Leg.A, 17)).isEqualTo(RetryReason.BUSY);
        assertThat(RetryReason.of(io.huibo.domain.Outcome.BUSY, io.huibo.domain.Leg.B, 17))
                .isEqualTo(RetryReason.LEG_B_FAILED);
        assertThat(RetryReason.of(io.huibo.domain.Outcome.CONGESTION, io.huibo.domain.Leg.A, 20))
                .isEqualTo(RetryReason.UNAVAILABLE);
        assertThat(RetryReason.of(io.huibo.domain.Outcome.CONGESTION, io.huibo.domain.Leg.A, 34))
                .isEqualTo(RetryReason.CONGESTION);
        assertThat(RetryReason.of(io.huibo.domain.Outcome.FAILED, io.huibo.domain.Leg.A, 1))
                .isEqualTo(RetryReason.INVALID_NUMBER);
        assertThat(RetryReason.of(io.huibo.domain.Outcome.FAILED, io.huibo.domain.Leg.B, 28))
                .isEqualTo(RetryReason.INVALID_NUMBER);
        assertThat(RetryReason.UNAVAILABLE.fallback(io.huibo.domain.Outcome.CONGESTION)).isEqualTo(RetryReason.CONGESTION);
    }
}
