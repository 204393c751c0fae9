package io.huibo.store;

import java.time.Duration;
import java.time.Instant;

/**
 * Follows {@code callback_events} by id without losing a row that commits late. Ids are handed out
 * when a row is inserted, not when it commits, so id 11 can be visible while id 10 is still in an open
 * transaction (another instance, another writer). The tail therefore stops at a gap; a gap that stays
 * open longer than {@code gapWait} is settled by a locking read (which waits for the transactions that
 * may still hold those ids) and, if still empty, skipped for good: a rolled-back insert leaves its ids
 * unused forever. Everything at or below {@link #cursor()} is settled: it will never change, which is
 * what makes an event id a position a client can resume from.
 *
 * <p>Not thread-safe: one owner (a verticle's context, or a transaction holding the cursor row).
 */
public final class EventTail {

    /**
     * @param count       how many of the given ids (a prefix) are settled now and may be delivered
     * @param settleBelow when above zero, a gap that waited long enough ends just below this id: settle
     *                    the ids between {@link #cursor()} and it, then call again with it
     */
    public record Advance(int count, long settleBelow) {
    }

    private final Duration gapWait;
    private long cursor;
    private long gapAt = -1;
    private Instant gapSince;

    public EventTail(long cursor, Duration gapWait) {
        this.cursor = cursor;
        this.gapWait = gapWait;
    }

    public long cursor() {
        return cursor;
    }

    /** Continues from {@code position} (another owner may have moved it); forgets any gap seen. */
    public void resetTo(long position) {
        if (position != cursor) {
            cursor = position;
            gapAt = -1;
            gapSince = null;
        }
    }

    /**
     * @param ids       ids above the cursor, ascending, as just read
     * @param settledBelow ids below this one were settled by a locking read since they were read (0: none)
     */
    public Advance advance(long[] ids, Instant now, long settledBelow) {
        int count = 0;
        for (long id : ids) {
            if (id <= cursor) {
                count++;
                continue;
            }
            if (id != cursor + 1) {
                long missing = cursor + 1;
                if (gapAt != missing) {
                    gapAt = missing;
                    gapSince = now;
                }
                boolean waited = !Duration.between(gapSince, now).minus(gapWait).isNegative();
                if (!waited) {
                    return new Advance(count, 0);
                }
                if (settledBelow < id) {
                    return new Advance(count, id);
                }
                // settled and still missing: those ids were rolled back
                cursor = id - 1;
            }
            cursor = id;
            count++;
            if (gapAt != -1 && gapAt <= cursor) {
                gapAt = -1;
                gapSince = null;
            }
        }
        return new Advance(count, 0);
    }
}
