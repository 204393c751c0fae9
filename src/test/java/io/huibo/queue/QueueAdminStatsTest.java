package io.huibo.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stats script's flat answer read back: counts by priority, and the lowest score as a due time. */
class QueueAdminStatsTest {

    @Test
    void theEarliestDueTimeIsTheLowestScoreOfAnyPriority() {
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        Instant early = Instant.parse("2026-12-07T11:59:30.125Z");
        Instant later = Instant.parse("2026-12-07T12:30:00Z");
        List<Object> r = new ArrayList<>(List.of(now.toEpochMilli(), 2L, 1L));
        for (int p = 0; p < 10; p++) {
            if (p == 3) {
                // Redis answers scores as strings; the sequence part (here 17) is below the millisecond
                r.addAll(List.of(5L, 1L, Long.toString(QueueScores.score(early, 17))));
            } else if (p == 9) {
                r.addAll(List.of(1L, 0L, Double.toString(QueueScores.score(later, 4))));
            } else {
                r.addAll(List.of(0L, 0L, ""));
            }
        }
        QueueAdmin.Stats s = QueueAdmin.parseStats(r);
        assertThat(s.waiting().get(3)).isEqualTo(5L);
        assertThat(s.dueNow().get(3)).isEqualTo(1L);
        assertThat(s.totalWaiting()).isEqualTo(6L);
        assertThat(s.totalDueNow()).isEqualTo(1L);
        assertThat(s.oldestDueAt()).isEqualTo(early);
        assertThat(s.leased()).isEqualTo(2L);
        assertThat(s.parked()).isEqualTo(1L);
        assertThat(s.now()).isEqualTo(now);
    }

    @Test
    void anEmptyScheduleHasNoOldestDue() {
        List<Object> r = new ArrayList<>(List.of(1L, 0L, 0L));
        for (int p = 0; p < 10; p++) {
            r.addAll(List.of(0L, 0L, ""));
        }
        assertThat(QueueAdmin.parseStats(r).oldestDueAt()).isNull();
    }
}
