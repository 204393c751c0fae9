package io.huibo.store;

import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.huibo.store.StoreSupport.clip;
import static io.huibo.store.StoreSupport.millis;
import static io.huibo.store.StoreSupport.rows;
import static io.huibo.store.StoreSupport.setInstant;

/**
 * Writes the dispatcher's steps of one group commit with a statement per kind of write rather than a
 * few statements per step: the attempt starts as one multi-row INSERT, the attempt ends as another,
 * the conditional state UPDATEs as one JDBC batch (sent at once, each keeping its own row count, so
 * every step still learns whether its callback moved) and the history rows of the moves that
 * happened as one multi-row INSERT. A step costs MariaDB one UPDATE at most instead of up to three
 * statements, each a round trip.
 *
 * <p>The result is the same as running the steps one after the other: UPDATEs run in step order, and
 * so do the history rows, and no kind of write depends on another except the start and the end of one
 * attempt (an end upserts over its start; a start after an end changes nothing). A step that would
 * reorder those two ends the current segment of the batch and begins the next one.
 */
final class StepBatch {

    static final String ATTEMPT_COLUMNS = "callback_id, number, node_id, channel_id, started_at, "
            + "answered_at, ended_at, outcome, failed_leg, hangup_cause, detail";
    static final int DETAIL_MAX = 1000;

    private static final String ATTEMPT_ROW = "(?,?,?,?,?,?,?,?,?,?,?)";
    private static final String START_UPSERT = " ON DUPLICATE KEY UPDATE number = number";
    /**
     * The first recorded end of an attempt stays: a second end (a reconciliation racing a late result)
     * changes nothing, so what was recorded is what the callback moved on with. A known answer time is
     * not erased by a null. {@code outcome} is assigned last because MariaDB evaluates the assignments in
     * order and the others test the row's outcome as it was.
     */
    private static final String END_UPSERT = " ON DUPLICATE KEY UPDATE "
            + "node_id = IF(outcome IS NULL, COALESCE(VALUES(node_id), node_id), node_id), "
            + "answered_at = IF(outcome IS NULL, COALESCE(VALUES(answered_at), answered_at), answered_at), "
            + "ended_at = IF(outcome IS NULL, VALUES(ended_at), ended_at), "
            + "failed_leg = IF(outcome IS NULL, VALUES(failed_leg), failed_leg), "
            + "hangup_cause = IF(outcome IS NULL, VALUES(hangup_cause), hangup_cause), "
            + "detail = IF(outcome IS NULL, VALUES(detail), detail), "
            + "outcome = IF(outcome IS NULL, VALUES(outcome), outcome)";
    /**
     * An attempt's start also requires the count it follows ({@code attempts = number - 1}, -1: any): a
     * claim made again from a stale read (a Redis failover lost the first claim and its attempt mark)
     * must not start an attempt that started already and ended meanwhile, which would dial it twice.
     */
    private static final String MOVE = "UPDATE callbacks SET state = ?, attempts = ?, "
            + "due_at = COALESCE(?, due_at), updated_at = ? WHERE id = ? AND state = ? AND (? < 0 OR attempts = ?)";
    private static final String EVENT_ROW = "(?,?,?,?,?)";

    private StepBatch() {
    }

    /** Moves a callback from {@code from} to {@code to} only if it is still in {@code from}. */
    record Move(String callbackId, CallState from, CallState to, int attempts, Instant dueAt, String detail) {
    }

    /**
     * One step: an attempt written (as started, or as ended) and/or a move, in one transaction. Its
     * future completes after the commit with whether the callback moved (false without a move).
     */
    static final class Step {
        private final Attempt attempt;
        private final boolean ended;
        private final Move move;
        private final CompletableFuture<Boolean> result = new CompletableFuture<>();
        private boolean moved;

        private Step(Attempt attempt, boolean ended, Move move) {
            this.attempt = attempt;
            this.ended = ended;
            this.move = move;
        }

        static Step started(Attempt a) {
            return new Step(a, false, null);
        }

        static Step ended(Attempt a) {
            return new Step(a, true, null);
        }

        static Step move(Move m) {
            return new Step(null, false, m);
        }

        static Step startedAndMove(Attempt a, Move m) {
            return new Step(a, false, m);
        }

        static Step endedAndMove(Attempt a, Move m) {
            return new Step(a, true, m);
        }

        CompletableFuture<Boolean> result() {
            return result;
        }
    }

    private record AttemptKey(String callbackId, int number) {
    }

    /**
     * Writes {@code batch} on {@code c} (in the caller's transaction) and returns what completes the
     * steps' futures once committed.
     */
    static Runnable write(Connection c, List<Step> batch) throws SQLException {
        Map<AttemptKey, Boolean> endedByAttempt = new HashMap<>();
        int from = 0;
        for (int i = 0; i < batch.size(); i++) {
            Step s = batch.get(i);
            if (s.attempt == null) {
                continue;
            }
            AttemptKey key = new AttemptKey(s.attempt.callbackId(), s.attempt.number());
            Boolean earlier = endedByAttempt.putIfAbsent(key, s.ended);
            if (earlier != null && earlier != s.ended) {
                writeSegment(c, batch.subList(from, i));
                from = i;
                endedByAttempt.clear();
                endedByAttempt.put(key, s.ended);
            }
        }
        writeSegment(c, batch.subList(from, batch.size()));
        List<Step> written = List.copyOf(batch);
        // what this try found: a later try of the batch (after a lost COMMIT answer) sets moved again
        boolean[] moved = new boolean[written.size()];
        for (int i = 0; i < moved.length; i++) {
            moved[i] = written.get(i).moved;
        }
        return () -> {
            for (int i = 0; i < moved.length; i++) {
                written.get(i).result.complete(moved[i]);
            }
        };
    }

    private static void writeSegment(Connection c, List<Step> segment) throws SQLException {
        List<Attempt> starts = new ArrayList<>();
        List<Attempt> ends = new ArrayList<>();
        List<Step> moves = new ArrayList<>();
        for (Step s : segment) {
            if (s.attempt != null) {
                (s.ended ? ends : starts).add(s.attempt);
            }
            if (s.move != null) {
                moves.add(s);
            }
        }
        insertAttempts(c, starts, START_UPSERT);
        insertAttempts(c, ends, END_UPSERT);
        // before the moves: an attempt's result comes before the state change it causes
        EventRows.attemptResults(c, ends, millis(Instant.now()));
        move(c, moves);
    }

    private static void insertAttempts(Connection c, List<Attempt> attempts, String upsert) throws SQLException {
        if (attempts.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO attempts (" + ATTEMPT_COLUMNS + ") VALUES "
                + rows(ATTEMPT_ROW, attempts.size()) + upsert)) {
            int i = 0;
            for (Attempt a : attempts) {
                i = bindAttempt(ps, i, a);
            }
            ps.executeUpdate();
        }
    }

    private static void move(Connection c, List<Step> moves) throws SQLException {
        if (moves.isEmpty()) {
            return;
        }
        Instant now = millis(Instant.now());
        try (PreparedStatement ps = c.prepareStatement(MOVE)) {
            if (moves.size() == 1) {
                bindMove(ps, moves.get(0), now);
                moves.get(0).moved = ps.executeUpdate() == 1;
            } else {
                for (Step s : moves) {
                    bindMove(ps, s, now);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] < 0) {
                        // a bulk protocol (useBulkStmts=true in the URL) gives no count per row; rolled
                        // back, each step is then written alone, with a count of its own
                        throw new SQLException("the batched UPDATE returned no row count per step");
                    }
                    moves.get(i).moved = counts[i] == 1;
                }
            }
        }
        List<Move> happened = new ArrayList<>();
        for (Step s : moves) {
            if (s.moved) {
                happened.add(s.move);
            }
        }
        if (happened.isEmpty()) {
            return;
        }
        // in step order, so the history (ordered by id) lists the moves as they happened
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO callback_events "
                + "(callback_id, at, from_state, to_state, detail) VALUES " + rows(EVENT_ROW, happened.size()))) {
            int i = 1;
            for (Move m : happened) {
                ps.setString(i++, m.callbackId());
                setInstant(ps, i++, now);
                ps.setString(i++, m.from().wire());
                ps.setString(i++, m.to().wire());
                ps.setString(i++, clip(m.detail(), DETAIL_MAX));
            }
            ps.executeUpdate();
        }
    }

    private static void bindMove(PreparedStatement ps, Step s, Instant now) throws SQLException {
        Move m = s.move;
        ps.setString(1, m.to().wire());
        ps.setInt(2, m.attempts());
        setInstant(ps, 3, m.dueAt());
        setInstant(ps, 4, now);
        ps.setString(5, m.callbackId());
        ps.setString(6, m.from().wire());
        int follows = s.attempt != null && !s.ended ? s.attempt.number() - 1 : -1;
        ps.setInt(7, follows);
        ps.setInt(8, follows);
    }

    /** Binds {@code a} after parameter {@code i}; returns the last parameter bound. */
    private static int bindAttempt(PreparedStatement ps, int i, Attempt a) throws SQLException {
        ps.setString(++i, a.callbackId());
        ps.setInt(++i, a.number());
        ps.setString(++i, a.nodeId());
        ps.setString(++i, a.channelId() != null ? a.channelId() : Attempt.channelIdFor(a.callbackId(), a.number()));
        setInstant(ps, ++i, a.startedAt() != null ? a.startedAt() : Instant.now());
        setInstant(ps, ++i, a.answeredAt());
        setInstant(ps, ++i, a.endedAt());
        ps.setString(++i, a.outcome() == null ? null : a.outcome().wire());
        ps.setString(++i, a.failedLeg() == null ? null : a.failedLeg().name());
        if (a.hangupCause() == null) {
            ps.setNull(++i, Types.INTEGER);
        } else {
            ps.setInt(++i, a.hangupCause());
        }
        ps.setString(++i, clip(a.detail(), DETAIL_MAX));
        return i;
    }
}
