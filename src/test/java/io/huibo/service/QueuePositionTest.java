package io.huibo.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class QueuePositionTest {
    private final Instant now = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void nothingAheadIsDueNowOrAtItsDueTime() {
        assertThat(QueuePosition.eta(0, now.minusSeconds(5), 0, now, null)).isEqualTo(now);
        assertThat(QueuePosition.eta(0, now.plusSeconds(30), 0, now, null)).isEqualTo(now.plusSeconds(30));
    }

    @Test
    void thoseAheadTakeTheirTimeAtTheDialRate() {
        // 120 attempts in the last minute: 2 per second; 10 ahead take 5 s
        assertThat(QueuePosition.eta(10, now, 120, now, null)).isEqualTo(now.plusSeconds(5));
    }

    @Test
    void noDialRateWithOthersAheadIsNoGuess() {
        assertThat(QueuePosition.eta(3, now, 0, now, null)).isNull();
    }

    @Test
    void quietHoursMoveIt() {
        Instant open = now.plusSeconds(3600);
        assertThat(QueuePosition.eta(0, now, 0, now, t -> t.isBefore(open) ? open : t)).isEqualTo(open);
    }
}
