package io.huibo.pbx;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;

import java.time.Instant;

/**
 * How one attempt ended on a node, emitted exactly once per tracked attempt by {@link CallTracker}.
 *
 * @param failedLeg   null when CONNECTED
 * @param hangupCause Q.850 cause of the failed leg when known, else of the originated channel; may be null
 * @param answeredAt  when leg A answered; null if it never did
 * @param detail      short human-readable evidence (reason, dial statuses, causes) for the attempt row
 */
public record AttemptResult(String channelId, String callbackId, int attempt, String nodeId, Outcome outcome,
                            Leg failedLeg, Integer hangupCause, Instant answeredAt, Instant endedAt,
                            String detail) {
}
