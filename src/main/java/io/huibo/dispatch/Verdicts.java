package io.huibo.dispatch;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.OutcomeClassifier;
import io.huibo.pbx.OutcomeMemory;
import java.time.Instant;

/**
 * How an attempt ended, decided from the evidence there is: what the node saw happen (its events), what
 * it remembers (the dialplan's outcome memory), or nothing. Pure: the dispatcher gathers the evidence,
 * this decides once, and the attempt ends through one path.
 *
 * <p>The rule that keeps the promise "nobody is called again after a call that went through": a seen
 * or remembered connection is CONNECTED whatever else is known; an attempt is recorded with an unknown
 * outcome (and so retried by the policy) only when neither the node's events nor its memory tell.
 */
final class Verdicts {

    /** The decided end of an attempt. {@code known} is false when nothing told how it went. */
    record Verdict(Outcome outcome, Leg failedLeg, Integer hangupCause, Instant answeredAt, Instant endedAt,
                   String detail, boolean known) {
    }

    private Verdicts() {
    }

    /** The node saw the call end: its result is the verdict. */
    static Verdict seen(AttemptResult r) {
        return new Verdict(r.outcome(), r.outcome().isSuccess() ? null : r.failedLeg(), r.hangupCause(),
                r.answeredAt(), r.endedAt(), r.detail(), true);
    }

    /**
     * Nobody saw the call end: {@code partial} is what the node saw before (null when it saw nothing,
     * e.g. the attempt was another instance's), {@code memory} what the dialplan remembered.
     */
    static Verdict unseen(AttemptResult partial, OutcomeMemory memory, Instant now) {
        boolean answeredSeen = partial != null && partial.answeredAt() != null;
        Instant answeredAt = partial == null ? null : partial.answeredAt();
        Instant endedAt = partial == null || partial.endedAt() == null ? now : partial.endedAt();
        if (partial != null && partial.outcome() == Outcome.CONNECTED) {
            return new Verdict(Outcome.CONNECTED, null, partial.hangupCause(), answeredAt, endedAt,
                    "connected (seen before the end was lost)", true);
        }
        OutcomeClassifier.Classification c = OutcomeClassifier.fromMemory(memory, answeredSeen);
        if (c != null) {
            if (answeredAt == null && memory.legAAnswered()) {
                // answered at some point nobody saw; the end time is the best bound there is
                answeredAt = endedAt;
            }
            return new Verdict(c.outcome(), c.outcome().isSuccess() ? null : c.failedLeg(), c.hangupCause(),
                    answeredAt, endedAt, "from the node's memory: " + c.detail(), true);
        }
        return unknown(answeredSeen
                ? "leg A answered, then the call ended unseen and the node remembers nothing"
                : "the call ended unseen and the node remembers nothing", answeredAt, endedAt);
    }

    /** Nothing tells how the attempt went. */
    static Verdict unknown(String why, Instant answeredAt, Instant endedAt) {
        return new Verdict(Outcome.FAILED, Leg.A, null, answeredAt, endedAt, "outcome unknown: " + why, false);
    }
}
