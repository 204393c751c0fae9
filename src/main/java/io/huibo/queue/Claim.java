package io.huibo.queue;

import java.time.Instant;

/**
 * One callback taken from the queue by {@link CallbackQueue#claim} or {@link CallbackQueue#claimParked}.
 *
 * @param fence             token from a counter incremented at every claim: a higher fence is a later
 *                          owner, and every later step of this claim must carry it
 * @param inflightAttempt   attempt left in flight by a previous owner, 0 if none; the new owner must
 *                          find out how it ended before dialing again
 * @param inflightNode      node of that attempt, or null
 * @param inflightChannelId ChannelId of that attempt, or null
 * @param inflightStartedAt when that attempt was marked, or null
 * @param orphaned          the callback waited for a node nobody held longer than the bound
 *                          ({@link CallbackQueue#releaseOrphans}): its attempt cannot be asked about
 */
public record Claim(String id, int priority, long fence, int inflightAttempt, String inflightNode,
                    String inflightChannelId, Instant inflightStartedAt, boolean orphaned) {

    public boolean hasInflight() {
        return inflightAttempt > 0;
    }
}
