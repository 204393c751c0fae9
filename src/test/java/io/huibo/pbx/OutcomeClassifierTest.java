package io.huibo.pbx;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.pbx.OutcomeClassifier.Classification;
import io.huibo.pbx.OutcomeClassifier.Facts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomeClassifierTest {

    private static Facts legAOnly(Integer reason, String aDial, Integer cause) {
        return new Facts(reason, false, aDial, null, false, null, null, cause, false);
    }

    private static Facts answered(String bDial, Integer bCause, Integer ownCause) {
        return new Facts(4, true, "ANSWER", null, bDial != null, bDial, bCause, ownCause, false);
    }

    @ParameterizedTest(name = "reason={0} aDial={1} cause={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
            // from the captures: chan_sip / Local reasons
            "5, -,          -,  BUSY",
            "3, -,          19, NO_ANSWER",
            "8, -,          -,  CONGESTION",
            // PJSIP: busy and congestion in disguise as Reason 0
            "0, BUSY,       17, BUSY",
            "0, CONGESTION, 34, CONGESTION",
            "0, -,          17, BUSY",
            "0, -,          34, CONGESTION",
            "0, -,          42, CONGESTION",
            "0, -,          19, NO_ANSWER",
            "0, CHANUNAVAIL, -, CONGESTION",
            "0, NOANSWER,   -,  NO_ANSWER",
            // no such extension / bad tech / route failure / unallocated
            "0, -,          -,  FAILED",
            "0, -,          38, FAILED",
            "0, -,          1,  FAILED",
            "0, -,          3,  FAILED",
            "1, -,          16, FAILED",
            "-, -,          -,  FAILED",
    })
    void legAFailures(Integer reason, String aDial, Integer cause, Outcome expected) {
        Classification c = OutcomeClassifier.classify(legAOnly(reason, aDial, cause));
        assertThat(c.outcome()).isEqualTo(expected);
        assertThat(c.failedLeg()).isEqualTo(Leg.A);
    }

    @ParameterizedTest(name = "bDial={0} -> {1}/{2}")
    @CsvSource(nullValues = "-", value = {
            "ANSWER,      CONNECTED,  -",
            "BUSY,        BUSY,       B",
            "NOANSWER,    NO_ANSWER,  B",
            "CANCEL,      NO_ANSWER,  B",
            "CONGESTION,  CONGESTION, B",
            "CHANUNAVAIL, CONGESTION, B",
            "DONTCALL,    FAILED,     B",
    })
    void legBByDialStatus(String bDial, Outcome expected, Leg leg) {
        Classification c = OutcomeClassifier.classify(answered(bDial, null, 16));
        assertThat(c.outcome()).isEqualTo(expected);
        assertThat(c.failedLeg()).isEqualTo(leg);
    }

    @Test
    void answeredButLegBNeverDialedIsAFailureOfB() {
        Classification c = OutcomeClassifier.classify(answered(null, null, 38));
        assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(c.failedLeg()).isEqualTo(Leg.B);
        assertThat(c.hangupCause()).isEqualTo(38);
        assertThat(c.detail()).contains("never dialed");
    }

    /** Asterisk 20, leg B's only trunk qualified and unreachable: no DialBegin/DialEnd, the ;1 half hangs up with 3. */
    @Test
    void legBWhoseChannelCouldNotBeCreatedIsCongestionOfB() {
        Classification c = OutcomeClassifier.classify(answered(null, null, 3));
        assertThat(c.outcome()).isEqualTo(Outcome.CONGESTION);
        assertThat(c.failedLeg()).isEqualTo(Leg.B);
        assertThat(c.hangupCause()).isEqualTo(3);
        // also after leg A confirmed: it pressed 1, then no route of B could be dialed
        Classification confirmed = OutcomeClassifier.classify(new Facts(4, true, "ANSWER", null, false, null, null, 3, true));
        assertThat(confirmed.outcome()).isEqualTo(Outcome.CONGESTION);
        assertThat(confirmed.failedLeg()).isEqualTo(Leg.B);
    }

    @Test
    void legAThatDidNotConfirmIsNoAnswerOnA() {
        // the dialplan's Hangup(19) after "press 1 to be connected" got no 1
        Classification c = OutcomeClassifier.classify(answered(null, null, 19));
        assertThat(c.outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(c.failedLeg()).isEqualTo(Leg.A);
        assertThat(c.hangupCause()).isEqualTo(19);
    }

    @Test
    void legAThatHangsUpWhileAskedToConfirmIsNoAnswerOnA() {
        // leg A hung up during "press 1 to be connected": the ;1 half ends with leg A's cause 16
        Facts f = new Facts(4, true, "ANSWER", null, false, null, null, 16, true);
        Classification c = OutcomeClassifier.classify(f);
        assertThat(c.outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(c.failedLeg()).isEqualTo(Leg.A);
        assertThat(c.hangupCause()).isEqualTo(16);
        assertThat(c.detail()).contains("did not confirm");
    }

    @Test
    void aRefusedRouteAfterConfirmationStaysAFailureOfB() {
        Facts f = new Facts(4, true, "ANSWER", null, false, null, null, 38, true);
        Classification c = OutcomeClassifier.classify(f);
        assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(c.failedLeg()).isEqualTo(Leg.B);
    }

    @Test
    void withoutConfirmationAnEarlyHangupOfAIsAFailureOfB() {
        Classification c = OutcomeClassifier.classify(answered(null, null, 16));
        assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(c.failedLeg()).isEqualTo(Leg.B);
    }

    @Test
    void legBDialBeganWithoutDialEndFallsBackToItsCause() {
        Facts f = new Facts(4, true, null, null, true, null, 17, 17, false);
        assertThat(OutcomeClassifier.classify(f).outcome()).isEqualTo(Outcome.BUSY);
        assertThat(OutcomeClassifier.classify(f).failedLeg()).isEqualTo(Leg.B);
    }

    @Test
    void bBusyReportsTheBCause() {
        // two-leg-b-busy: alice's Hangup takes over cause 17 from the failed Dial
        Classification c = OutcomeClassifier.classify(answered("BUSY", 17, 17));
        assertThat(c.hangupCause()).isEqualTo(17);
        assertThat(c.detail()).contains("reason=4").contains("bDial=BUSY");
    }

    @Test
    void answeredIsSeenWithoutReasonToo() {
        // OriginateResponse not (yet) seen, but the channel went Up and B answered
        Facts f = new Facts(null, true, null, null, true, "ANSWER", 16, 16, false);
        assertThat(OutcomeClassifier.classify(f).outcome()).isEqualTo(Outcome.CONNECTED);
    }

    /**
     * Every row of the pjsip-trunk summaries (real Asterisk 20.20.1 through a PJSIP trunk): single calls
     * are expected by the number's last digit (7 busy, 8 no answer, 9 congestion, else answered),
     * aggregated rows by their label.
     */
    @Test
    void pjsipTrunkSummariesClassifyAsExpected() throws Exception {
        Pattern single = Pattern.compile("^\\s+\\+?(\\d+) \\(\\w+, Timeout \\d+\\): OriginateResponse \\w+ Reason (\\d+),"
                + ".*\\| DialEnd DialStatus (\\w+) .*\\| Hangup Cause (\\d+) ");
        Pattern aggregate = Pattern.compile("^\\s+(\\d+) x (\\w+)\\s+OriginateResponse \\w+ Reason (\\d+) "
                + "\\| DialEnd DialStatus (\\w+) .*\\| Hangup Cause (\\d+) ");
        List<Path> files;
        try (Stream<Path> s = Files.list(io.huibo.pbx.ami.AmiTrace.ROOT.resolve("pjsip-trunk"))) {
            files = s.map(d -> d.resolve("summary.txt")).filter(Files::exists).sorted().toList();
        }
        assertThat(files).hasSize(3);
        List<String> checked = new ArrayList<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                Matcher m = single.matcher(line);
                String expected;
                int reason;
                String dial;
                int cause;
                if (m.find()) {
                    expected = switch (m.group(1).charAt(m.group(1).length() - 1)) {
                        case '7' -> "BUSY";
                        case '8' -> "NO_ANSWER";
                        case '9' -> "CONGESTION";
                        default -> "CONNECTED";
                    };
                    reason = Integer.parseInt(m.group(2));
                    dial = m.group(3);
                    cause = Integer.parseInt(m.group(4));
                } else {
                    Matcher a = aggregate.matcher(line);
                    if (!a.find()) {
                        continue;
                    }
                    expected = switch (a.group(2)) {
                        case "busy" -> "BUSY";
                        case "noanswer" -> "NO_ANSWER";
                        case "congestion" -> "CONGESTION";
                        case "answered" -> "CONNECTED";
                        default -> throw new AssertionError("unknown label in " + line);
                    };
                    reason = Integer.parseInt(a.group(3));
                    dial = a.group(4);
                    cause = Integer.parseInt(a.group(5));
                }
                Classification c = OutcomeClassifier.legA(reason, "None".equals(dial) ? null : dial, cause);
                assertThat(c.outcome().name()).as(line).isEqualTo(expected);
                assertThat(c.failedLeg()).as(line).isEqualTo(expected.equals("CONNECTED") ? null : Leg.A);
                checked.add(line);
            }
        }
        // 4 single calls + 2 + 4 aggregated rows in ami-s, 1 each in the two bye runs
        assertThat(checked).hasSize(12);
    }
}
