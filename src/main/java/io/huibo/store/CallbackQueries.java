package io.huibo.store;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.vertx.core.Future;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static io.huibo.store.StoreSupport.millis;
import static io.huibo.store.StoreSupport.setInstant;

/**
 * The operator's reads and writes of callbacks (lists by filter, requeue, reschedule, bulk insert),
 * kept apart from {@link CallbackStore}, whose writers serve the request and dispatch paths. JDBC runs on
 * this class's own small executor, never on an event loop; none of these is on a hot path.
 */
public final class CallbackQueries implements AutoCloseable {

    /** The most rows one list query returns (the API's page limit is below it). */
    public static final int MAX_LIMIT = 1000;

    private static final String COLUMNS = "c." + CallbackStore.COLUMNS.replace(", ", ", c.");
    private static final List<CallState> ENDED = Arrays.stream(CallState.values()).filter(CallState::isFinal).toList();
    private static final String EVENT = "INSERT INTO callback_events (callback_id, at, from_state, to_state, detail) "
            + "VALUES (?,?,?,?,?)";

    /** What a requeue found. */
    public enum RequeueStatus { REQUEUED, NOT_FOUND, WRONG_STATE, NO_BUDGET,
        /** Another callback with its number and destination is queued or dialing (deduplication). */
        DUPLICATE }

    /** @param callback as it is after the requeue, or as found when refused; null when not found */
    public record Requeue(RequeueStatus status, Callback callback) {
    }

    private final DataSource ds;
    private final ExecutorService executor;
    /** Whether bulk rows take part in deduplication (contacts.dedup), as {@link CallbackStore}'s do. */
    private final boolean dedup;

    /** With deduplication on. */
    public CallbackQueries(Database db) {
        this(db, true);
    }

    public CallbackQueries(Database db, boolean dedup) {
        this.dedup = dedup;
        this.ds = db.dataSource();
        this.executor = StoreSupport.executor("huibo-queries", 2);
    }

    // ---- lists

    /**
     * Callbacks matching {@code f}, newest first (by id: ids are time-ordered and unique, so the order is
     * total and stable), with an id below {@code beforeId} (null: from the newest), at most {@code limit}.
     */
    public Future<List<Callback>> list(CallbackFilter f, String beforeId, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            return Future.failedFuture(new IllegalArgumentException("limit must be 1.." + MAX_LIMIT));
        }
        return blocking(() -> {
            List<Object> args = new ArrayList<>();
            StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM callbacks c WHERE 1=1");
            where(f, sql, args);
            if (beforeId != null) {
                sql.append(" AND c.id < ?");
                args.add(beforeId);
            }
            sql.append(" ORDER BY c.id DESC LIMIT ?");
            args.add(limit);
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, args);
                List<Callback> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(CallbackStore.readCallback(rs));
                    }
                }
                return out;
            }
        });
    }

    /** The SQL of a filter: every value is bound, never spliced into the text. */
    static void where(CallbackFilter f, StringBuilder sql, List<Object> args) {
        if (!f.states().isEmpty()) {
            sql.append(" AND c.state IN (").append("?,".repeat(f.states().size() - 1)).append("?)");
            f.states().stream().map(CallState::wire).sorted().forEach(args::add);
        }
        if (f.number() != null) {
            sql.append(" AND c.number = ?");
            args.add(f.number());
        }
        if (f.destination() != null) {
            sql.append(" AND c.destination = ?");
            args.add(f.destination());
        }
        if (f.node() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM attempts a WHERE a.callback_id = c.id AND a.node_id = ?)");
            args.add(f.node());
        }
        range(sql, args, "c.created_at", f.createdFrom(), f.createdTo());
        range(sql, args, "c.due_at", f.dueFrom(), f.dueTo());
        if (f.endedFrom() != null || f.endedTo() != null) {
            // a final callback is never updated again: its last update is when it ended
            sql.append(" AND c.state IN (").append("?,".repeat(ENDED.size() - 1)).append("?)");
            ENDED.forEach(st -> args.add(st.wire()));
            range(sql, args, "c.updated_at", f.endedFrom(), f.endedTo());
        }
        for (Map.Entry<String, String> e : f.metadata().entrySet()) {
            // the key is checked by the caller (no quote or backslash), the path still goes in as a value
            sql.append(" AND JSON_VALUE(c.metadata, ?) = ?");
            args.add("$.\"" + e.getKey() + "\"");
            args.add(e.getValue());
        }
    }

    private static void range(StringBuilder sql, List<Object> args, String column, Instant from, Instant to) {
        if (from != null) {
            sql.append(" AND ").append(column).append(" >= ?");
            args.add(from);
        }
        if (to != null) {
            sql.append(" AND ").append(column).append(" < ?");
            args.add(to);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object v = args.get(i);
            if (v instanceof Instant t) {
                setInstant(ps, i + 1, t);
            } else if (v instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else {
                ps.setString(i + 1, (String) v);
            }
        }
    }

    // ---- requeue and reschedule

    /**
     * Puts a callback in one of {@code from} back to QUEUED, due at {@code dueAt}, with {@code budget}
     * attempts more than it has made (attempt numbers go on, so no ChannelId is ever used twice), and
     * records it in its history, in one transaction.
     */
    public Future<Requeue> requeue(String id, Set<CallState> from, int budget, Instant dueAt, Instant at,
                                   String detail) {
        return blocking(() -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    Callback cb;
                    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                            + " FROM callbacks c WHERE c.id = ? FOR UPDATE")) {
                        ps.setString(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            cb = rs.next() ? CallbackStore.readCallback(rs) : null;
                        }
                    }
                    Requeue refused = cb == null ? new Requeue(RequeueStatus.NOT_FOUND, null)
                            : !from.contains(cb.state()) ? new Requeue(RequeueStatus.WRONG_STATE, cb)
                            : cb.attempts() + budget > Callback.MAX_TOTAL_ATTEMPTS ? new Requeue(RequeueStatus.NO_BUDGET, cb)
                            : null;
                    if (refused != null) {
                        c.rollback();
                        return refused;
                    }
                    Instant now = millis(at);
                    Instant due = millis(dueAt);
                    int max = cb.attempts() + budget;
                    try (PreparedStatement ps = c.prepareStatement("UPDATE callbacks SET state = ?, max_attempts = ?, "
                            + "due_at = ?, updated_at = ? WHERE id = ?")) {
                        ps.setString(1, CallState.QUEUED.wire());
                        ps.setInt(2, max);
                        setInstant(ps, 3, due);
                        setInstant(ps, 4, now);
                        ps.setString(5, id);
                        ps.executeUpdate();
                    } catch (SQLException e) {
                        if (e.getErrorCode() != 1062) {
                            throw e;
                        }
                        // active again, it would be a second active callback of its number and destination
                        c.rollback();
                        return new Requeue(RequeueStatus.DUPLICATE, cb);
                    }
                    event(c, id, now, cb.state(), CallState.QUEUED, detail);
                    c.commit();
                    Callback after = new Callback(cb.id(), cb.number(), cb.destination(), cb.callerId(), cb.priority(),
                            max, cb.metadata(), cb.idempotencyKey(), CallState.QUEUED, cb.attempts(), due,
                            cb.createdAt(), now, cb.flow(), cb.confirm(), cb.calling());
                    return new Requeue(RequeueStatus.REQUEUED, after);
                } catch (SQLException | RuntimeException e) {
                    GroupCommit.rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    /**
     * Sets the due time and priority of a QUEUED callback and notes it in its history (from and to
     * {@code queued}), in one transaction; empty when it is not QUEUED (or not there).
     */
    public Future<Optional<Callback>> reschedule(String id, int priority, Instant dueAt, Instant at, String detail) {
        return blocking(() -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    Instant now = millis(at);
                    int n;
                    try (PreparedStatement ps = c.prepareStatement("UPDATE callbacks SET due_at = ?, priority = ?, "
                            + "updated_at = ? WHERE id = ? AND state = ?")) {
                        setInstant(ps, 1, millis(dueAt));
                        ps.setInt(2, priority);
                        setInstant(ps, 3, now);
                        ps.setString(4, id);
                        ps.setString(5, CallState.QUEUED.wire());
                        n = ps.executeUpdate();
                    }
                    if (n == 0) {
                        c.rollback();
                        return Optional.<Callback>empty();
                    }
                    event(c, id, now, CallState.QUEUED, CallState.QUEUED, detail);
                    Callback after;
                    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                            + " FROM callbacks c WHERE c.id = ?")) {
                        ps.setString(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            after = CallbackStore.readCallback(rs);
                        }
                    }
                    c.commit();
                    return Optional.of(after);
                } catch (SQLException | RuntimeException e) {
                    GroupCommit.rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    private static void event(Connection c, String id, Instant at, CallState from, CallState to, String detail)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EVENT)) {
            ps.setString(1, id);
            setInstant(ps, 2, at);
            ps.setString(3, from.wire());
            ps.setString(4, to.wire());
            ps.setString(5, StoreSupport.clip(detail, StepBatch.DETAIL_MAX));
            ps.executeUpdate();
        }
    }

    // ---- bulk insert

    /**
     * Stores new callbacks (without idempotency keys) in one transaction: all or none. Times are cut to
     * milliseconds, as stored; the stored values are returned in order. With deduplication on, a row
     * whose number and destination a queued or dialing callback has (stored before or by an earlier row
     * of this call) is not stored: its place in the answer holds that callback (another id), and the
     * other rows are stored all the same.
     */
    public Future<List<Callback>> insertAll(List<Callback> callbacks) {
        return insertAll(callbacks, null);
    }

    /** As {@link #insertAll(List)}, every callback with this webhook URL (null: none), in the same transaction. */
    public Future<List<Callback>> insertAll(List<Callback> callbacks, String webhook) {
        if (callbacks.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<Callback> rows = callbacks.stream()
                .map(cb -> cb.withTimes(millis(cb.dueAt()), millis(cb.createdAt()), millis(cb.updatedAt())))
                .toList();
        return blocking(() -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                // A duplicate pair skips its row instead of failing the statement (and every other row);
                // ids are new and bulk rows have no idempotency key, so active_pair is the only key that
                // can be taken.
                try (PreparedStatement ps = c.prepareStatement(CallbackStore.insertSql(rows.size()))) {
                    int i = 1;
                    for (Callback cb : rows) {
                        if (cb.idempotencyKey() != null) {
                            throw new IllegalArgumentException("bulk rows carry no idempotency key");
                        }
                        i = CallbackStore.bindInsert(ps, i, cb, dedup);
                    }
                    ps.executeUpdate();
                    List<Callback> result = rows;
                    List<Callback> created = rows;
                    if (dedup) {
                        Map<String, Callback> active = CallbackStore.activeByPair(c,
                                rows.stream().map(CallbackStore::pair).toList());
                        result = new ArrayList<>(rows.size());
                        List<Callback> stored = new ArrayList<>(rows.size());
                        for (Callback cb : rows) {
                            Callback owner = active.get(CallbackStore.pair(cb));
                            if (owner == null) {
                                throw new SQLException("callback vanished during insert: " + cb.id());
                            }
                            Callback row = owner.id().equals(cb.id()) ? cb : owner;
                            result.add(row);
                            if (row == cb) {
                                stored.add(cb);
                            }
                        }
                        created = stored;
                    }
                    // a bulk row's life starts with its creation event, as a single submit's does
                    EventRows.created(c, created);
                    if (webhook != null) {
                        Map<String, String> targets = new LinkedHashMap<>();
                        created.forEach(cb -> targets.put(cb.id(), webhook));
                        WebhookOutbox.insertTargets(c, targets);
                    }
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    GroupCommit.rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    // ---- figures

    /** How many attempts started at or after {@code since} (all instances: the dial rate's numerator). */
    public Future<Long> attemptsStartedSince(Instant since) {
        return blocking(() -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM attempts WHERE started_at >= ?")) {
                setInstant(ps, 1, since);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
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

    private <T> Future<T> blocking(StoreSupport.SqlWork<T> work) {
        return StoreSupport.blocking(executor, work);
    }
}
