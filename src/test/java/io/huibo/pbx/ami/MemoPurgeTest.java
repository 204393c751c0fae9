package io.huibo.pbx.ami;

import io.huibo.pbx.OriginateRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MemoPurgeTest {
    private final CallTrackerTest.MutableClock clock =
            new CallTrackerTest.MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    private List<String> drain(MemoPurge p) {
        List<String> days = new ArrayList<>();
        for (String d = p.next(); d != null; d = p.next()) {
            days.add(d);
        }
        return days;
    }

    @Test
    void oneDayBeyondTheRetentionPerOriginateNewestFirstUntilNoneIsLeft() {
        MemoPurge p = new MemoPurge(clock, 2, 4);
        assertThat(drain(p)).containsExactly("20261122", "20261121", "20261120", "20261119");
        assertThat(p.next()).isNull();
    }

    @Test
    void noDayWithinTheRetentionIsEverDropped() {
        MemoPurge p = new MemoPurge(clock);
        for (int day = 0; day < 10; day++) {
            String today = clock.instant().toString().substring(0, 10).replace("-", "");
            String oldestKept = clock.instant().minus(Duration.ofDays(2)).toString().substring(0, 10).replace("-", "");
            assertThat(drain(p)).hasSize(MemoPurge.LOOKBACK_DAYS)
                    .allMatch(d -> d.compareTo(oldestKept) < 0, "older than " + oldestKept + " on " + today);
            clock.advance(Duration.ofDays(1));
        }
    }

    @Test
    void noneLeftTodayStartsAgainTheNextUtcDay() {
        MemoPurge p = new MemoPurge(clock, 2, 3);
        drain(p);
        clock.advance(Duration.ofHours(13).plusMinutes(59)); // 23:59 UTC
        assertThat(p.next()).isNull();
        clock.advance(Duration.ofMinutes(1));
        assertThat(drain(p)).containsExactly("20261123", "20261122", "20261121");
    }

    @Test
    void theOriginateCarriesThePurgeDayOnlyWhenOneIsLeft() {
        OriginateRequest r = new OriginateRequest("CB1", 1, "hb-CB1-1", "huibo-leg-a", "huibo-connect",
                Duration.ofSeconds(25), null, List.of("127.0.0.1:4573"), "20261125/CB1-1", false);
        Map<String, String> with = AmiNode.originateAction(r, "20261122").getVariables();
        assertThat(with).containsEntry("HUIBO_MEMO_PURGE", "20261122").containsEntry("HUIBO_MEMO", "20261125/CB1-1");
        assertThat(AmiNode.originateAction(r, null).getVariables()).doesNotContainKey("HUIBO_MEMO_PURGE");
    }
}
