package io.huibo.pbx;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;

import java.util.StringJoiner;

/**
 * Turns what AMI told us about one attempt into an {@link Outcome}. Pure: no I/O, no clock.
 *
 * <p>Why three sources: the OriginateResponse {@code Reason} only describes leg A, and through a PJSIP
 * trunk busy and congestion both arrive as Reason 0; only the A dial's {@code DialStatus} and the
 * Hangup {@code Cause} tell them apart (see asterisk-traces/pjsip-trunk). Reason 4 is emitted as soon as
 * leg A answers, before leg B is even dialed, so B's fate comes only from the DialEnd of the Dial()
 * run by the originated channel.
 */
public final class OutcomeClassifier {

    /** OriginateResponse reasons (Asterisk's AST_CONTROL_* numbers). */
    public static final int REASON_FAILURE = 0;
    public static final int REASON_HANGUP = 1;
    public static final int REASON_NO_ANSWER = 3;
    public static final int REASON_ANSWERED = 4;
    public static final int REASON_BUSY = 5;
    public static final int REASON_CONGESTION = 8;
    /** Q.850 19, "no answer from user"; the dialplan's Hangup(19) for an unconfirmed leg A. */
    public static final int CAUSE_NO_ANSWER = 19;
    /** Q.850 38; the dialplan's Hangup(38) when Huibo refused or could not be reached for a route. */
    public static final int CAUSE_NO_ROUTE = 38;
    /**
     * Q.850 3, "no route to destination": what chan_pjsip leaves when Dial() cannot even create the
     * callee's channel (the endpoint's contact is unavailable or missing; DIALSTATUS CHANUNAVAIL). No
     * DialBegin or DialEnd is sent then, so for leg B only the originated channel's Hangup tells it.
     */
    public static final int CAUSE_NO_CHANNEL = 3;

    private OutcomeClassifier() {
    }

    /**
     * Everything collected for one attempt; any field may be unknown (null / false).
     *
     * @param answered        leg A answered, seen as Reason 4, Newstate Up of the originated channel or
     *                        DialEnd ANSWER of the Originate's own dial
     * @param legADialStatus  DialStatus of leg A's dial (the Originate's own dial, or the Dial() in the
     *                        Local channel's second half)
     * @param legACause       Hangup cause of the channel that rang leg A, when it is not the originated one
     * @param legBDialed      a Dial() from the originated channel began
     * @param legBDialStatus  DialStatus of that Dial()
     * @param legBCause       Hangup cause of the B channel
     * @param hangupCause     Hangup cause of the originated channel itself (Uniqueid = ChannelId)
     * @param confirmAsked    leg A was to press 1 before leg B is dialed (HUIBO_CONFIRM=1)
     */
    public record Facts(Integer originateReason, boolean answered, String legADialStatus, Integer legACause,
                        boolean legBDialed, String legBDialStatus, Integer legBCause, Integer hangupCause,
                        boolean confirmAsked) {
    }

    /** @param failedLeg null for CONNECTED (and for an answered leg A in {@link #legA}) */
    public record Classification(Outcome outcome, Leg failedLeg, Integer hangupCause, String detail) {
    }

    /** The whole attempt: leg A, then (if A answered) leg B. */
    public static Classification classify(Facts f) {
        String detail = detail(f);
        boolean aAnswered = f.answered()
                || (f.originateReason() != null && f.originateReason() == REASON_ANSWERED)
                || "ANSWER".equalsIgnoreCase(f.legADialStatus());
        if (!aAnswered) {
            Outcome o = legAFailure(f.originateReason(), f.legADialStatus(),
                    f.legACause() != null ? f.legACause() : f.hangupCause());
            return new Classification(o, Leg.A, f.legACause() != null ? f.legACause() : f.hangupCause(), detail);
        }
        Integer bCause = f.legBCause() != null ? f.legBCause() : f.hangupCause();
        String b = f.legBDialStatus();
        if (b != null && !b.isEmpty()) {
            return switch (b.toUpperCase()) {
                case "ANSWER" -> new Classification(Outcome.CONNECTED, null, f.hangupCause(), detail);
                case "BUSY" -> new Classification(Outcome.BUSY, Leg.B, bCause, detail);
                // CANCEL: leg A hung up while B was still ringing, so B never got the chance to answer
                case "NOANSWER", "CANCEL" -> new Classification(Outcome.NO_ANSWER, Leg.B, bCause, detail);
                case "CONGESTION", "CHANUNAVAIL" -> new Classification(Outcome.CONGESTION, Leg.B, bCause, detail);
                default -> new Classification(Outcome.FAILED, Leg.B, bCause, detail);
            };
        }
        if (f.legBDialed()) {
            // the Dial() began but its DialEnd never arrived: fall back to the B channel's cause
            Outcome o = byCause(f.legBCause());
            return new Classification(o == null ? Outcome.FAILED : o, Leg.B, bCause, detail);
        }
        // A answered but B was never dialed. The dialplan hangs up with cause 19 when leg A did not press
        // 1 to confirm: for the person called, that is an unanswered call, and it is retried as one. A
        // leg A that hangs up while asked to confirm did not confirm either; only the dialplan's own
        // Hangup(38) says the route for B was refused instead.
        if (f.hangupCause() != null && f.hangupCause() == CAUSE_NO_CHANNEL) {
            // the last route of leg B was unavailable (measured on Asterisk 20 with a qualified, unreachable
            // trunk): a route failure, as a CHANUNAVAIL DialEnd is, so the same outcome and retry
            return new Classification(Outcome.CONGESTION, Leg.B, f.hangupCause(),
                    detail + " (no channel to leg B could be created)");
        }
        boolean routeRefused = f.hangupCause() != null && f.hangupCause() == CAUSE_NO_ROUTE;
        if ((f.hangupCause() != null && f.hangupCause() == CAUSE_NO_ANSWER) || (f.confirmAsked() && !routeRefused)) {
            return new Classification(Outcome.NO_ANSWER, Leg.A, f.hangupCause(), detail + " (leg A did not confirm)");
        }
        // otherwise the route for B failed (dialplan Hangup(38)) or A hung up first
        return new Classification(Outcome.FAILED, Leg.B, bCause, detail + " (leg B never dialed)");
    }

    /**
     * Leg A alone, for an Originate that dials the callee directly (the pjsip-trunk traces).
     * Returns CONNECTED with no failed leg when A answered.
     */
    public static Classification legA(Integer reason, String dialStatus, Integer cause) {
        Facts f = new Facts(reason, false, dialStatus, null, false, null, null, cause, false);
        if ((reason != null && reason == REASON_ANSWERED) || "ANSWER".equalsIgnoreCase(dialStatus)) {
            return new Classification(Outcome.CONNECTED, null, cause, detail(f));
        }
        return new Classification(legAFailure(reason, dialStatus, cause), Leg.A, cause, detail(f));
    }

    /**
     * An attempt from what the node's dialplan remembered of it ({@link OutcomeMemory}), for a call whose
     * end nobody saw. Null when the memory tells nothing (the node wrote nothing: it does not run Huibo's
     * dialplan, or lost its database), and only then is the outcome unknown.
     *
     * <p>Why an answer of leg A without any fact about leg B is a leg B failure, not unknown: leg B's
     * answer is written before it is bridged ({@code Dial} option {@code U}), so a B that ever answered
     * left its fact; a node that died mid-call (no {@code h} extension ran) still wrote that one.
     *
     * @param answeredSeen leg A's answer was seen in the node's events before they were lost
     */
    public static Classification fromMemory(OutcomeMemory m, boolean answeredSeen) {
        if (m == null || m.isEmpty()) {
            return null;
        }
        String detail = "memory a=" + (m.legA() == null ? "-" : m.legA()) + " b=" + (m.legB() == null ? "-" : m.legB());
        if (m.legBAnswered()) {
            return new Classification(Outcome.CONNECTED, null, OutcomeMemory.cause(m.legB()), detail);
        }
        if (!m.legAAnswered() && !answeredSeen) {
            Integer cause = OutcomeMemory.cause(m.legA());
            return new Classification(legAFailure(null, OutcomeMemory.status(m.legA()), cause), Leg.A, cause, detail);
        }
        String bStatus = OutcomeMemory.status(m.legB());
        Integer bCause = OutcomeMemory.cause(m.legB());
        if ((bStatus == null && bCause != null && bCause == CAUSE_NO_ANSWER) || m.legAUnconfirmed()) {
            return new Classification(Outcome.NO_ANSWER, Leg.A, bCause, detail + " (leg A did not confirm)");
        }
        if (bStatus != null) {
            return switch (bStatus.toUpperCase()) {
                case "BUSY" -> new Classification(Outcome.BUSY, Leg.B, bCause, detail);
                case "NOANSWER", "CANCEL" -> new Classification(Outcome.NO_ANSWER, Leg.B, bCause, detail);
                case "CONGESTION", "CHANUNAVAIL" -> new Classification(Outcome.CONGESTION, Leg.B, bCause, detail);
                default -> new Classification(Outcome.FAILED, Leg.B, bCause, detail);
            };
        }
        return new Classification(Outcome.FAILED, Leg.B, bCause, detail + " (leg B never answered)");
    }

    static Outcome legAFailure(Integer reason, String dialStatus, Integer cause) {
        if (reason != null) {
            switch (reason) {
                case REASON_BUSY: return Outcome.BUSY;
                case REASON_NO_ANSWER: return Outcome.NO_ANSWER;
                case REASON_CONGESTION: return Outcome.CONGESTION;
                default: break; // 0 failure, 1 hangup: may be busy/congestion in disguise
            }
        }
        if (dialStatus != null) {
            switch (dialStatus.toUpperCase()) {
                case "BUSY": return Outcome.BUSY;
                case "CONGESTION", "CHANUNAVAIL": return Outcome.CONGESTION;
                case "NOANSWER", "CANCEL": return Outcome.NO_ANSWER;
                default: break;
            }
        }
        Outcome byCause = byCause(cause);
        return byCause == null ? Outcome.FAILED : byCause;
    }

    /**
     * Q.850 causes that name a retryable condition. 21 (call rejected, SIP 603 Decline) counts as busy:
     * the person declined now, not forever. 38 is what our dialplan uses when routing failed, so it is
     * a plain FAILED; 1/3 (unallocated / no route) are FAILED too.
     */
    static Outcome byCause(Integer cause) {
        if (cause == null) {
            return null;
        }
        return switch (cause) {
            case 17, 21 -> Outcome.BUSY;
            case 18, 19 -> Outcome.NO_ANSWER;
            case 34, 42, 44 -> Outcome.CONGESTION;
            default -> null;
        };
    }

    private static String detail(Facts f) {
        StringJoiner j = new StringJoiner(" ");
        if (f.originateReason() != null) {
            j.add("reason=" + f.originateReason());
        }
        if (f.legADialStatus() != null) {
            j.add("aDial=" + f.legADialStatus());
        }
        if (f.legACause() != null) {
            j.add("aCause=" + f.legACause());
        }
        if (f.legBDialStatus() != null) {
            j.add("bDial=" + f.legBDialStatus());
        } else if (f.legBDialed()) {
            j.add("bDial=began");
        }
        if (f.legBCause() != null) {
            j.add("bCause=" + f.legBCause());
        }
        if (f.hangupCause() != null) {
            j.add("cause=" + f.hangupCause());
        }
        return j.length() == 0 ? "no evidence" : j.toString();
    }
}
