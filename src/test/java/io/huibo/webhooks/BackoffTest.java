package io.huibo.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesPerTryUpToTheCapWithoutJitter() {
        Backoff b = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1), () -> 0.0);
        assertThat(b.after(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.after(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.after(3)).isEqualTo(Duration.ofSeconds(20));
        assertThat(b.after(4)).isEqualTo(Duration.ofSeconds(40));
        assertThat(b.after(5)).isEqualTo(Duration.ofMinutes(1));
        assertThat(b.after(1000)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void jitterTakesOffAtMostHalf() {
        Backoff b = new Backoff(Duration.ofSeconds(8), Duration.ofHours(1), () -> 0.999);
        assertThat(b.after(1)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(b.after(2)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(16));
        Backoff half = new Backoff(Duration.ofSeconds(8), Duration.ofHours(1), () -> 0.5);
        assertThat(half.after(1)).isEqualTo(Duration.ofSeconds(6));
    }
}
