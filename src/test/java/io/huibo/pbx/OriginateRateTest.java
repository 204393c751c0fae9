package io.huibo.pbx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginateRateTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aFullBucketHoldsOneSecondOfOriginates() {
        OriginateRate r = new OriginateRate(10, 0);
        assertThat(r.available(0)).isEqualTo(10);
        int taken = 0;
        while (r.tryAcquire(0)) {
            taken++;
        }
        assertThat(taken).isEqualTo(10);
        assertThat(r.available(S / 2)).isEqualTo(5);
        assertThat(r.available(10 * S)).isEqualTo(10); // never more than one second's worth
    }

    @Test
    void failuresHalveTheRateOncePerSecondDownToAFloor() {
        OriginateRate r = new OriginateRate(20, 0);
        r.onFailure(S);
        assertThat(r.rate()).isEqualTo(10);
        r.onFailure(S + S / 10); // same burst: not cut again
        assertThat(r.rate()).isEqualTo(10);
        for (int i = 2; i < 20; i++) {
            r.onFailure(i * S);
        }
        assertThat(r.rate()).isEqualTo(1.0); // floor: max / 20
        assertThat(r.available(100 * S)).isEqualTo(1);
    }

    @Test
    void theRateRecoversAdditivelyWithoutFailures() {
        OriginateRate r = new OriginateRate(20, 0);
        r.onFailure(S);
        r.onFailure(3 * S);
        assertThat(r.rate()).isEqualTo(5);
        r.onSuccess(3 * S + S / 2); // too soon after the cut
        assertThat(r.rate()).isEqualTo(5);
        r.onSuccess(4 * S);
        assertThat(r.rate()).isEqualTo(7); // + max/10
        r.onSuccess(4 * S + S / 2);
        assertThat(r.rate()).isEqualTo(7); // at most once a second
        for (int i = 5; i < 30; i++) {
            r.onSuccess(i * S);
        }
        assertThat(r.rate()).isEqualTo(20);
    }

    @Test
    void aLowerRateRefillsMoreSlowly() {
        OriginateRate r = new OriginateRate(10, 0);
        while (r.tryAcquire(0)) {
            // empty it
        }
        r.onFailure(S / 1000); // rate 5
        assertThat(r.available(S)).isEqualTo(5);
    }
}
