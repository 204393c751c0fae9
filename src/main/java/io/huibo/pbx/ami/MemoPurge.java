package io.huibo.pbx.ami;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Picks the old day of outcome memory that the next Originate asks the node to drop
 * ({@code HUIBO_MEMO_PURGE=<yyyyMMdd>}, a {@code DBdeltree(huibo/<day>)} in [huibo-leg-a]).
 *
 * <p>The node's AstDB cannot be listed cheaply, so nobody knows which days are there: each UTC day
 * every day of a lookback window beyond the retention is asked for once, newest first, one per
 * Originate, until none is left; the next UTC day the window (now one day later) is asked for again.
 * Asking for every day each day costs a few DBdeltree of nothing, and covers Originates that were
 * lost, another owner of the node, and restarts, without any state shared between instances. A node
 * that placed no call for longer than the lookback keeps the memory of days beyond it.
 *
 * <p>Memory keys carry the attempt's UTC start day (domain.Attempt#memoKey), so a day is dropped only
 * once all of it is older than the retention. Not thread-safe: AmiNode uses it on its context only.
 */
final class MemoPurge {
    /** Memory younger than this is kept: an instance may need it after a long outage. */
    static final int RETENTION_DAYS = 2;
    static final int LOOKBACK_DAYS = 14;
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private final Clock clock;
    private final int retentionDays;
    private final int lookbackDays;
    private final Deque<LocalDate> pending = new ArrayDeque<>();
    private LocalDate plannedFor;

    MemoPurge(Clock clock) {
        this(clock, RETENTION_DAYS, LOOKBACK_DAYS);
    }

    MemoPurge(Clock clock, int retentionDays, int lookbackDays) {
        if (retentionDays < 0 || lookbackDays < 1) {
            throw new IllegalArgumentException("retention >= 0 and lookback >= 1 days");
        }
        this.clock = clock;
        this.retentionDays = retentionDays;
        this.lookbackDays = lookbackDays;
    }

    /** The day ({@code yyyyMMdd}) this Originate should drop, or null when none is left today. */
    String next() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (!today.equals(plannedFor)) {
            plannedFor = today;
            pending.clear();
            LocalDate newest = today.minusDays(retentionDays + 1L);
            for (int i = 0; i < lookbackDays; i++) {
                pending.addLast(newest.minusDays(i));
            }
        }
        LocalDate d = pending.pollFirst();
        return d == null ? null : DAY.format(d);
    }
}
