package io.huibo.store;

import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import static io.huibo.store.StoreSupport.rows;
import static io.huibo.store.StoreSupport.setInstant;

/**
 * The rows of {@code callback_events} beside the state moves, written in the transaction of what they
 * record: a callback's creation and each attempt result (see {@link StoredEvent}).
 */
final class EventRows {
    private EventRows() {
    }

    /** One "created" event (no from state, to queued) per callback just inserted. */
    static void created(Connection c, List<Callback> inserted) throws SQLException {
        if (inserted.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO callback_events "
                + "(callback_id, at, kind, from_state, to_state, detail) VALUES " + rows("(?,?,?,NULL,?,?)", inserted.size()))) {
            int i = 1;
            for (Callback cb : inserted) {
                ps.setString(i++, cb.id());
                setInstant(ps, i++, cb.createdAt());
                ps.setString(i++, StoredEvent.STATE);
                ps.setString(i++, CallState.QUEUED.wire());
                ps.setString(i++, "created");
            }
            ps.executeUpdate();
        }
    }

    /**
     * An attempt event for each of {@code ends} whose result is now recorded and has no event yet: the
     * first recorded end of an attempt is its only one (later ends change nothing), so it is its only event.
     * Read from the attempts rows this transaction just wrote (and locked).
     */
    static void attemptResults(Connection c, List<Attempt> ends, Instant now) throws SQLException {
        if (ends.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO callback_events (callback_id, at, kind, attempt) "
                + "SELECT a.callback_id, ?, ?, a.number FROM attempts a WHERE (");
        for (int i = 0; i < ends.size(); i++) {
            sql.append(i == 0 ? "" : " OR ").append("(a.callback_id = ? AND a.number = ?)");
        }
        sql.append(") AND a.outcome IS NOT NULL AND NOT EXISTS (SELECT 1 FROM callback_events e "
                + "WHERE e.callback_id = a.callback_id AND e.kind = ? AND e.attempt = a.number) "
                + "ORDER BY a.callback_id, a.number");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            setInstant(ps, i++, now);
            ps.setString(i++, StoredEvent.ATTEMPT);
            for (Attempt a : ends) {
                ps.setString(i++, a.callbackId());
                ps.setInt(i++, a.number());
            }
            ps.setString(i, StoredEvent.ATTEMPT);
            ps.executeUpdate();
        }
    }
}
