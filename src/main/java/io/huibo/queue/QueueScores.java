package io.huibo.queue;

import java.time.Instant;

/**
 * Score arithmetic of the ready sets: score = dueMillis * 4096 + (seq % 4096), so callbacks due in
 * the same millisecond keep their enqueue order. The scripts add the sequence part themselves; Java
 * only computes the millisecond part, as an exact decimal string (Lua numbers are doubles, exact up
 * to 2^53, i.e. due dates until 2039; later ones still sort by time, only the FIFO tie-break blurs).
 */
final class QueueScores {
    static final long SEQ_SLOTS = 4096;

    private QueueScores() {
    }

    /** dueMillis * 4096; times before the epoch count as the epoch (they are all simply due). */
    static long base(Instant dueAt) {
        return Math.multiplyExact(Math.max(0L, dueAt.toEpochMilli()), SEQ_SLOTS);
    }

    /** The full score a script computes for a sequence number. */
    static long score(Instant dueAt, long seq) {
        return base(dueAt) + Math.floorMod(seq, SEQ_SLOTS);
    }

    /** Highest score that is due at {@code now}: everything of this millisecond included. */
    static long maxDueScore(Instant now) {
        return base(now) + SEQ_SLOTS - 1;
    }

    /** The millisecond a score stands for. */
    static long dueMillis(long score) {
        return Math.floorDiv(score, SEQ_SLOTS);
    }
}
