package io.huibo.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTailTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private final EventTail tail = new EventTail(10, Duration.ofSeconds(2));

    @Test
    void contiguousIdsAreAllSettled() {
        EventTail.Advance a = tail.advance(new long[] {11, 12, 13}, T0, 0);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.settleBelow()).isZero();
        assertThat(tail.cursor()).isEqualTo(13);
    }

    @Test
    void stopsAtAGapUntilItFills() {
        EventTail.Advance a = tail.advance(new long[] {11, 13, 14}, T0, 0);
        assertThat(a.count()).isEqualTo(1);
        assertThat(tail.cursor()).isEqualTo(11);
        // the late commit of 12 arrives: everything goes out in order
        a = tail.advance(new long[] {12, 13, 14}, T0.plusMillis(300), 0);
        assertThat(a.count()).isEqualTo(3);
        assertThat(tail.cursor()).isEqualTo(14);
    }

    @Test
    void aGapOpenLongerThanTheWaitIsSettledThenSkipped() {
        assertThat(tail.advance(new long[] {13}, T0, 0).count()).isZero();
        assertThat(tail.advance(new long[] {13}, T0.plusSeconds(1), 0).count()).isZero();
        EventTail.Advance a = tail.advance(new long[] {13}, T0.plusSeconds(2), 0);
        // not skipped on time alone: the caller first waits for the transactions that may hold 11 and 12
        assertThat(a.count()).isZero();
        assertThat(a.settleBelow()).isEqualTo(13);
        assertThat(tail.cursor()).isEqualTo(10);
        // settled: 12 had committed meanwhile, 11 never will
        a = tail.advance(new long[] {12, 13}, T0.plusSeconds(2), 13);
        assertThat(a.count()).isEqualTo(2);
        assertThat(tail.cursor()).isEqualTo(13);
    }

    @Test
    void aSettledRangeDoesNotSkipALaterFreshGap() {
        tail.advance(new long[] {12}, T0, 0);
        EventTail.Advance a = tail.advance(new long[] {12, 20}, T0.plusSeconds(3), 12);
        assertThat(a.count()).isEqualTo(1);
        assertThat(tail.cursor()).isEqualTo(12);
        assertThat(a.settleBelow()).isZero();
    }

    @Test
    void resetForgetsTheGap() {
        tail.advance(new long[] {13}, T0, 0);
        tail.resetTo(20);
        assertThat(tail.cursor()).isEqualTo(20);
        assertThat(tail.advance(new long[] {22}, T0.plusSeconds(5), 0).count()).isZero();
        // the gap at 21 is new: its wait starts now
        assertThat(tail.advance(new long[] {22}, T0.plusSeconds(6), 0).settleBelow()).isZero();
    }
}
