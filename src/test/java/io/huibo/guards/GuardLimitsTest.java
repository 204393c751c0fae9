package io.huibo.guards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class GuardLimitsTest {

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        assertThat(GuardLimits.retryAfterSeconds(0)).isEqualTo(1);
        assertThat(GuardLimits.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(GuardLimits.retryAfterSeconds(1000)).isEqualTo(1);
        assertThat(GuardLimits.retryAfterSeconds(1001)).isEqualTo(2);
        assertThat(GuardLimits.retryAfterSeconds(59_999)).isEqualTo(60);
        assertThat(GuardLimits.retryAfterSeconds(86_400_000)).isEqualTo(86_400);
    }

    @Test
    void windowsAreAlignedToTheEpochAsTheScriptCountsThem() {
        long t = Instant.parse("2026-12-07T20:41:15.250Z").toEpochMilli();
        assertThat(GuardLimits.untilWindowEnd(t, GuardLimits.MINUTE)).isEqualTo(44_750);
        // a UTC day ends at midnight UTC
        assertThat(GuardLimits.untilWindowEnd(t, GuardLimits.DAY))
                .isEqualTo(Instant.parse("2026-12-08T00:00:00Z").toEpochMilli() - t);
        long midnight = Instant.parse("2026-12-08T00:00:00Z").toEpochMilli();
        assertThat(GuardLimits.untilWindowEnd(midnight, GuardLimits.DAY)).isEqualTo(86_400_000);
        assertThat(GuardLimits.untilWindowEnd(midnight - 1, GuardLimits.DAY)).isEqualTo(1);
    }

    @Test
    void aLimitNeedsAMaximumAndAWindow() {
        assertThatThrownBy(() -> new GuardLimits.Limit("x", "k", 0, GuardLimits.MINUTE, "w"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GuardLimits.Limit("x", "k", 1, Duration.ofMillis(10), "w"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
