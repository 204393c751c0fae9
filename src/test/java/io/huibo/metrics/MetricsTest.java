package io.huibo.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.pbx.AttemptResult;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void labelsHoldNoIdsOrNumbers() {
        Metrics m = Metrics.prometheus();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        m.attemptEnded(new AttemptResult("hb-abc123-1", "abc123", 1, "pbx1", Outcome.BUSY, Leg.A, 17, null, t,
                "busy"));
        m.attemptEnded(new AttemptResult("hb-abc124-1", "abc124", 1, "pbx1", Outcome.FAILED, Leg.B, 9999, null, t,
                "odd cause"));
        m.callLength("t1", Duration.ofSeconds(30));
        String s = m.scrape();
        assertThat(s).contains("huibo_attempt_outcomes_total{cause=\"17\",leg=\"a\",node=\"pbx1\",outcome=\"busy\"} 1.0")
                .contains("cause=\"other\"")
                .contains("huibo_call_length_seconds_count{trunk=\"t1\"} 1")
                .doesNotContain("abc123").doesNotContain("hb-abc");
    }

    @Test
    void pauseReasonsAreShortAndShownFromZero() {
        Metrics m = Metrics.prometheus();
        assertThat(m.scrape()).contains("huibo_dispatch_pauses_total{reason=\"agi_backlog\"} 0.0");
        m.dispatchPaused("the FastAGI server has more than 500 sessions open (the dialplan waits on Huibo)");
        m.dispatchPaused("the AMI events of a node wait over 250 ms to be handled");
        m.dispatchPaused("its event loop lags over 250 ms");
        String s = m.scrape();
        assertThat(s).contains("huibo_dispatch_pauses_total{reason=\"agi_backlog\"} 1.0")
                .contains("huibo_dispatch_pauses_total{reason=\"ami_event_lag\"} 1.0")
                .contains("huibo_dispatch_pauses_total{reason=\"loop_lag\"} 1.0");
    }

    @Test
    void noneRecordsNothing() {
        Metrics.none().claimed(3);
        Metrics.none().originate("pbx1", "sent");
        assertThat(Metrics.none().scrape()).isEmpty();
        assertThat(Metrics.none().registry().find("huibo_claims").counter().count()).isZero();
    }
}
