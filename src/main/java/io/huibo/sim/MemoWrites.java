package io.huibo.sim;

/**
 * The AstDB writes dialplan/huibo.conf makes for one attempt: the purge at the start of [huibo-leg-a],
 * [huibo-memo] (the first fact for a leg stays) and [huibo-answered] (leg B answered, written as is).
 * {@code memo} is the Originate's HUIBO_MEMO; without one [huibo-memo] writes nothing, and neither does
 * the sim for [huibo-answered].
 */
final class MemoWrites {
    static final String FAMILY = "huibo";

    private final AstDb db;
    private final String memo;

    MemoWrites(AstDb db, String memo) {
        this.db = db;
        this.memo = memo == null || memo.isEmpty() ? null : memo;
    }

    /** ExecIf(...?DBdeltree(huibo/${HUIBO_MEMO_PURGE})): an old day of memory goes. */
    void purge(String day) {
        if (day != null && !day.isEmpty()) {
            db.delTree(FAMILY, day);
        }
    }

    /** Gosub(huibo-memo,s,1(leg,value)). */
    void remember(String leg, String value) {
        if (memo != null && !db.exists(FAMILY, memo + "/" + leg)) {
            db.put(FAMILY, memo + "/" + leg, value);
        }
    }

    /** Dial's U(huibo-answered^${HUIBO_MEMO}) as leg B answers. */
    void answeredB() {
        if (memo != null) {
            db.put(FAMILY, memo + "/b", "ANSWER");
        }
    }
}
