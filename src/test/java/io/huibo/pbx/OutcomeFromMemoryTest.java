package io.huibo.pbx;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.pbx.OutcomeClassifier.Classification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the node's outcome memory (the values dialplan/huibo.conf writes into AstDB) says about an
 * attempt whose end nobody saw. Each row is a call as the dialplan records it.
 */
class OutcomeFromMemoryTest {

    @ParameterizedTest(name = "a={0} b={1} answeredSeen={2} -> {3} {4}")
    @CsvSource(nullValues = "-", value = {
            // both legs answered: connected, whatever the h extensions wrote later (first fact stays)
            "ANSWER,       ANSWER,        false, CONNECTED,  -",
            // leg B's answer alone is enough: leg A's fact may be lost with a node that died mid-call
            "-,            ANSWER,        false, CONNECTED,  -",
            // leg A's own end, written by [huibo-leg-a]'s h extension
            "BUSY:17,      -,             false, BUSY,       A",
            "NOANSWER:19,  -,             false, NO_ANSWER,  A",
            "CONGESTION:34, -,            false, CONGESTION, A",
            "CHANUNAVAIL:20, -,           false, CONGESTION, A",
            // no route was dialed for leg A (Huibo refused or was unreachable): Hangup(38)
            ":38,          -,             false, FAILED,     A",
            // leg A answered, then leg B's Dial() ended without an answer
            "ANSWER,       BUSY:17,       false, BUSY,       B",
            "ANSWER,       NOANSWER:19,   false, NO_ANSWER,  B",
            "ANSWER,       CANCEL:16,     false, NO_ANSWER,  B",
            "ANSWER,       CONGESTION:34, false, CONGESTION, B",
            // leg A answered and did not confirm: Hangup(19) before leg B was dialed
            "ANSWER,       :19,           false, NO_ANSWER,  A",
            // leg A hung up during the confirmation prompt: [huibo-connect]'s h extension says so
            "ANSWER,       UNCONFIRMED:16, false, NO_ANSWER, A",
            "-,            UNCONFIRMED:16, true,  NO_ANSWER, A",
            // leg A answered, leg B never dialed (no route: Hangup(38)) or A hung up first
            "ANSWER,       :38,           false, FAILED,     B",
            "ANSWER,       :16,           false, FAILED,     B",
            // leg A answered and nothing of B: B never answered (its answer is written before the bridge)
            "ANSWER,       -,             false, FAILED,     B",
            // the answer was seen in the events, the memory has leg B's end only
            "-,            BUSY:17,       true,  BUSY,       B",
    })
    void memoryDecidesTheOutcome(String a, String b, boolean answeredSeen, Outcome outcome, Leg failedLeg) {
        Classification c = OutcomeClassifier.fromMemory(new OutcomeMemory(a, b), answeredSeen);
        assertThat(c).isNotNull();
        assertThat(c.outcome()).isEqualTo(outcome);
        assertThat(c.failedLeg()).isEqualTo(failedLeg);
        assertThat(c.detail()).startsWith("memory a=");
    }

    @Test
    void anEmptyMemoryTellsNothing() {
        assertThat(OutcomeClassifier.fromMemory(OutcomeMemory.NONE, false)).isNull();
        assertThat(OutcomeClassifier.fromMemory(OutcomeMemory.NONE, true)).isNull();
        assertThat(OutcomeClassifier.fromMemory(null, true)).isNull();
    }

    @Test
    void theCauseComesFromTheLegThatDecided() {
        assertThat(OutcomeClassifier.fromMemory(new OutcomeMemory("BUSY:17", null), false).hangupCause()).isEqualTo(17);
        assertThat(OutcomeClassifier.fromMemory(new OutcomeMemory("ANSWER", "NOANSWER:19"), false).hangupCause())
                .isEqualTo(19);
    }
}
