package io.huibo.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.OutcomeMemory;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one decision of how an attempt ended, from what was seen and what the node remembers. */
class VerdictsTest {
    private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    private static AttemptResult unseen(Outcome guess, Instant answeredAt) {
        return new AttemptResult("hb-x-1", "x", 1, "n1", guess, Leg.A, null, answeredAt, T.plusSeconds(30),
                "channel gone", false);
    }

    @Test
    void aConnectionTheNodeRemembersIsConnectedThoughNobodySawTheEnd() {
        Verdicts.Verdict v = Verdicts.unseen(unseen(Outcome.FAILED, null),
                new OutcomeMemory("ANSWER", "ANSWER"), T.plusSeconds(60));
        assertThat(v.outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(v.failedLeg()).isNull();
        assertThat(v.known()).isTrue();
        assertThat(v.answeredAt()).as("answered unseen: bounded by the end").isEqualTo(T.plusSeconds(30));
        assertThat(v.detail()).contains("memory");
    }

    @Test
    void aConnectionSeenBeforeTheEventsWereLostStaysConnectedWhateverTheMemorySays() {
        Verdicts.Verdict v = Verdicts.unseen(unseen(Outcome.CONNECTED, T.plusSeconds(5)), OutcomeMemory.NONE, T);
        assertThat(v.outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(v.known()).isTrue();
    }

    @Test
    void withoutMemoryTheOutcomeIsUnknownAndSaysSo() {
        Verdicts.Verdict v = Verdicts.unseen(unseen(Outcome.FAILED, T.plusSeconds(5)), OutcomeMemory.NONE, T);
        assertThat(v.known()).isFalse();
        assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(v.detail()).startsWith("outcome unknown").contains("leg A answered");
    }

    @Test
    void aBusyLegARememberedIsBusy() {
        Verdicts.Verdict v = Verdicts.unseen(null, new OutcomeMemory("BUSY:17", null), T);
        assertThat(v.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(v.failedLeg()).isEqualTo(Leg.A);
        assertThat(v.hangupCause()).isEqualTo(17);
        assertThat(v.endedAt()).isEqualTo(T);
    }

    @Test
    void aSeenEndIsTheVerdict() {
        AttemptResult r = new AttemptResult("hb-x-1", "x", 1, "n1", Outcome.NO_ANSWER, Leg.B, 19, T, T.plusSeconds(9),
                "bDial=NOANSWER");
        Verdicts.Verdict v = Verdicts.seen(r);
        assertThat(v.outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(v.failedLeg()).isEqualTo(Leg.B);
        assertThat(v.answeredAt()).isEqualTo(T);
        assertThat(v.known()).isTrue();
    }
}
