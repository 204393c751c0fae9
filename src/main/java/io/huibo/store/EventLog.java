package io.huibo.store;

import io.huibo.domain.CallState;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

import static io.huibo.store.StoreSupport.getInstant;

/**
 * Reads {@code callback_events} as an ordered log (see {@link EventTail}), with the callback's number and
 * the attempt's result joined in. Work runs on an executor of its own, never on an event loop.
 */
public final class EventLog implements AutoCloseable {
    private static final String SELECT = "SELECT e.id, e.callback_id, c.number, e.at, e.kind, e.from_state, "
            + "e.to_state, e.detail, e.attempt, a.outcome, a.failed_leg, a.hangup_cause, a.node_id "
            + "FROM callback_events e LEFT JOIN callbacks c ON c.id = e.callback_id "
            + "LEFT JOIN attempts a ON e.kind = 'attempt' AND a.callback_id = e.callback_id AND a.number = e.attempt ";
    /** How long the settling read waits for a transaction that holds an id of a gap. */
    private static final int SETTLE_WAIT_SECONDS = 10;

    private final DataSource ds;
    private final ExecutorService executor;

    public EventLog(Database db) {
        this.ds = db.dataSource();
        this.executor = StoreSupport.executor("huibo-events", 2);
    }

    /** The id of the latest event (0: none). */
    public Future<Long> lastId() {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(MAX(id), 0) FROM callback_events"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Up to {@code limit} events after {@code afterId}, by id. */
    public Future<List<StoredEvent>> after(long afterId, int limit) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection()) {
                return after(c, afterId, limit);
            }
        });
    }

    /**
     * Up to {@code limit} events in ({@code afterId}, {@code upTo}], by id, of one callback and/or one
     * number when given (for a client catching up after a reconnect).
     */
    public Future<List<StoredEvent>> range(long afterId, long upTo, String callbackId, String number, int limit) {
        return StoreSupport.blocking(executor, () -> {
            StringBuilder sql = new StringBuilder(SELECT).append("WHERE e.id > ? AND e.id <= ?");
            if (callbackId != null) {
                sql.append(" AND e.callback_id = ?");
            }
            if (number != null) {
                sql.append(" AND c.number = ?");
            }
            sql.append(" ORDER BY e.id LIMIT ?");
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setLong(i++, afterId);
                ps.setLong(i++, upTo);
                if (callbackId != null) {
                    ps.setString(i++, callbackId);
                }
                if (number != null) {
                    ps.setString(i++, number);
                }
                ps.setInt(i, limit);
                return read(ps);
            }
        });
    }

    /**
     * Waits until no open transaction holds an id in ({@code afterId}, {@code beforeId}) and returns the
     * ids that committed there (see {@link EventTail}).
     */
    public Future<long[]> settle(long afterId, long beforeId) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    return settle(c, afterId, beforeId);
                } finally {
                    c.commit();
                    c.setAutoCommit(true);
                }
            }
        });
    }

    static List<StoredEvent> after(Connection c, long afterId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE e.id > ? ORDER BY e.id LIMIT ?")) {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
            return read(ps);
        }
    }

    static List<StoredEvent> byIds(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE e.id IN ("
                + "?,".repeat(ids.size() - 1) + "?) ORDER BY e.id")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setLong(i + 1, ids.get(i));
            }
            return read(ps);
        }
    }

    static long[] ids(Connection c, long afterId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM callback_events WHERE id > ? ORDER BY id LIMIT ?")) {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
            return longs(ps);
        }
    }

    /** A locking read: InnoDB makes it wait for uncommitted inserts in the range (in the caller's transaction). */
    static long[] settle(Connection c, long afterId, long beforeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SET STATEMENT innodb_lock_wait_timeout = "
                + SETTLE_WAIT_SECONDS + " FOR SELECT id FROM callback_events WHERE id > ? AND id < ? "
                + "ORDER BY id LOCK IN SHARE MODE")) {
            ps.setLong(1, afterId);
            ps.setLong(2, beforeId);
            return longs(ps);
        }
    }

    private static long[] longs(PreparedStatement ps) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static List<StoredEvent> read(PreparedStatement ps) throws SQLException {
        List<StoredEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String from = rs.getString("from_state");
                String to = rs.getString("to_state");
                String outcome = rs.getString("outcome");
                String leg = rs.getString("failed_leg");
                int attempt = rs.getInt("attempt");
                Integer attemptNo = rs.wasNull() ? null : attempt;
                int cause = rs.getInt("hangup_cause");
                Integer hangupCause = rs.wasNull() ? null : cause;
                out.add(new StoredEvent(rs.getLong("id"), rs.getString("callback_id"), rs.getString("number"),
                        getInstant(rs, "at"), rs.getString("kind"),
                        from == null ? null : CallState.fromWire(from), to == null ? null : CallState.fromWire(to),
                        rs.getString("detail"), attemptNo,
                        outcome == null ? null : Outcome.fromWire(outcome), leg == null ? null : Leg.fromWire(leg),
                        hangupCause, rs.getString("node_id")));
            }
        }
        return out;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
