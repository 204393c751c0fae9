package io.huibo.queue;

/**
 * One callback taken from the queue by {@link CallbackQueue#claim}.
 *
 * @param fence             token from a counter incremented at every claim: a higher fence is a later owner
 * @param inflightAttempt   attempt left in flight by a previous owner whose lease expired, 0 if none;
 *                          the new owner must reconcile it with the PBX before dialing again
 * @param inflightNode      node of that attempt, or null
 * @param inflightChannelId ChannelId of that attempt, or null
 */
public record Claim(String id, int priority, long fence, int inflightAttempt, String inflightNode,
                    String inflightChannelId) {

    public boolean hasInflight() {
        return inflightAttempt > 0;
    }
}
