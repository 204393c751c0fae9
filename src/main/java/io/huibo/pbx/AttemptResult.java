package io.huibo.pbx;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;

import java.time.Instant;

/**
 * How one attempt ended on a node, emitted exactly once per tracked attempt.
 *
 * @param failedLeg   null when CONNECTED
 * @param hangupCause Q.850 cause of the failed leg when known, else of the originated channel; may be null
 * @param answeredAt  when leg A answered; null if it never did (or nobody saw it)
 * @param detail      short human-readable evidence (reason, dial statuses, causes) for the attempt row
 * @param observed    true when the node saw the call end (its events); false when the call was found gone
 *                    without its end being seen (events lost across a reconnect, a call adopted from a
 *                    previous owner): then outcome, failedLeg and cause are only what was seen before, and
 *                    the attempt must not be decided on them alone (ask the node's {@link OutcomeMemory})
 */
public record AttemptResult(String channelId, String callbackId, int attempt, String nodeId, Outcome outcome,
                            Leg failedLeg, Integer hangupCause, Instant answeredAt, Instant endedAt,
                            String detail, boolean observed) {

    /** A result the node saw happen. */
    public AttemptResult(String channelId, String callbackId, int attempt, String nodeId, Outcome outcome,
                         Leg failedLeg, Integer hangupCause, Instant answeredAt, Instant endedAt, String detail) {
        this(channelId, callbackId, attempt, nodeId, outcome, failedLeg, hangupCause, answeredAt, endedAt, detail,
                true);
    }
}
