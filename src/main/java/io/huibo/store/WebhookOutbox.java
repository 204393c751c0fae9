package io.huibo.store;

import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

import static io.huibo.store.StoreSupport.clip;
import static io.huibo.store.StoreSupport.getInstant;
import static io.huibo.store.StoreSupport.millis;
import static io.huibo.store.StoreSupport.setInstant;

/**
 * The webhook outbox in MariaDB: filled from {@code callback_events} (one instance at a time, holding the
 * cursor row), claimed with leases (any instance may send a row, none while another's lease runs), and
 * completed by the claim that sent it. See sql/V6__webhooks.sql.
 */
public final class WebhookOutbox implements AutoCloseable {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
    private static final int ERROR_MAX = 500;
    private static final String COLUMNS = "id, event_id, callback_id, url, status, attempts, next_at, "
            + "last_status, last_error, created_at, delivered_at";

    /** One row of the outbox; {@code attempts} counts the tries started so far. */
    public record Delivery(long id, long eventId, String callbackId, String url, String status, int attempts,
                           Instant nextAt, Integer lastStatus, String lastError, Instant createdAt,
                           Instant deliveredAt) {
    }

    /** A claimed delivery with the event it carries. */
    public record Claimed(Delivery delivery, StoredEvent event) {
    }

    private final DataSource ds;
    private final ExecutorService executor;

    public WebhookOutbox(Database db) {
        this.ds = db.dataSource();
        this.executor = StoreSupport.executor("huibo-webhooks", 2);
    }

    /** Names the webhook of a callback (before its first event can be enqueued). */
    static void insertTargets(Connection c, Map<String, String> urlByCallback) throws SQLException {
        if (urlByCallback.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO callback_webhooks (callback_id, url) VALUES "
                + StoreSupport.rows("(?,?)", urlByCallback.size()))) {
            int i = 1;
            for (Map.Entry<String, String> e : urlByCallback.entrySet()) {
                ps.setString(i++, e.getKey());
                ps.setString(i++, e.getValue());
            }
            ps.executeUpdate();
        }
    }

    /**
     * Moves the outbox cursor over the events settled since (up to {@code limit}), writing a delivery for
     * each event of a callback with a webhook, in one transaction. Completes with the number of events
     * the cursor moved over (at {@code limit}, more are probably waiting), or -1 if another instance
     * holds the cursor right now.
     */
    public Future<Integer> feed(EventTail tail, Instant now, int limit) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    int n = feed(c, tail, now, limit);
                    c.commit();
                    return n;
                } catch (SQLException | RuntimeException e) {
                    GroupCommit.rollbackQuietly(c);
                    tail.resetTo(-1);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    private static int feed(Connection c, EventTail tail, Instant now, int limit) throws SQLException {
        long cursor;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT last_event_id FROM webhook_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return -1;
            }
            cursor = rs.getLong(1);
        }
        tail.resetTo(cursor);
        long[] ids = EventLog.ids(c, cursor, limit);
        EventTail.Advance a = tail.advance(ids, now, 0);
        if (a.settleBelow() > 0) {
            long[] late = EventLog.settle(c, tail.cursor(), a.settleBelow());
            long[] merged = new long[late.length + ids.length - a.count()];
            System.arraycopy(late, 0, merged, 0, late.length);
            System.arraycopy(ids, a.count(), merged, late.length, ids.length - a.count());
            tail.advance(merged, now, a.settleBelow());
        }
        long upTo = tail.cursor();
        if (upTo == cursor) {
            return 0;
        }
        int moved = 0;
        for (long id : ids) {
            moved += id <= upTo ? 1 : 0;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_deliveries (event_id, callback_id, "
                + "url, status, attempts, next_at, created_at) SELECT e.id, e.callback_id, w.url, ?, 0, ?, ? "
                + "FROM callback_events e JOIN callback_webhooks w ON w.callback_id = e.callback_id "
                + "WHERE e.id > ? AND e.id <= ? ORDER BY e.id")) {
            ps.setString(1, PENDING);
            setInstant(ps, 2, now);
            setInstant(ps, 3, now);
            ps.setLong(4, cursor);
            ps.setLong(5, upTo);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_cursor SET last_event_id = ? WHERE id = 1")) {
            ps.setLong(1, upTo);
            ps.executeUpdate();
        }
        return moved;
    }

    /**
     * Leases up to {@code limit} due deliveries to {@code owner} (unique per claim) until now + lease,
     * counting a try for each, and returns them with their events.
     */
    public Future<List<Claimed>> claim(String owner, Instant now, Duration lease, int limit) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET lease_owner = ?, "
                        + "lease_until = ?, attempts = attempts + 1 WHERE status = ? AND next_at <= ? "
                        + "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_at LIMIT ?")) {
                    ps.setString(1, owner);
                    setInstant(ps, 2, now.plus(lease));
                    ps.setString(3, PENDING);
                    setInstant(ps, 4, now);
                    setInstant(ps, 5, now);
                    ps.setInt(6, limit);
                    if (ps.executeUpdate() == 0) {
                        return List.<Claimed>of();
                    }
                }
                List<Delivery> claimed = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                        + " FROM webhook_deliveries WHERE lease_owner = ? ORDER BY id")) {
                    ps.setString(1, owner);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            claimed.add(read(rs));
                        }
                    }
                }
                Map<Long, StoredEvent> events = new HashMap<>();
                for (StoredEvent e : EventLog.byIds(c, claimed.stream().map(Delivery::eventId).distinct().toList())) {
                    events.put(e.id(), e);
                }
                List<Claimed> out = new ArrayList<>();
                for (Delivery d : claimed) {
                    out.add(new Claimed(d, events.get(d.eventId())));
                }
                return out;
            }
        });
    }

    /** Records a 2xx; only the claim that holds the lease may (a late answer after a takeover changes nothing). */
    public Future<Boolean> delivered(long id, String owner, int status, Instant now) {
        return update("UPDATE webhook_deliveries SET status = ?, delivered_at = ?, last_status = ?, "
                + "last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?", ps -> {
            ps.setString(1, DELIVERED);
            setInstant(ps, 2, now);
            ps.setInt(3, status);
            ps.setLong(4, id);
            ps.setString(5, owner);
        });
    }

    /**
     * Records a failed try: due again at {@code nextAt}, or given up ({@link #FAILED}) when it is null.
     *
     * @param status the HTTP status, null when there was no answer
     */
    public Future<Boolean> failed(long id, String owner, Integer status, String error, Instant nextAt) {
        return update("UPDATE webhook_deliveries SET status = ?, next_at = COALESCE(?, next_at), "
                + "last_status = ?, last_error = ?, lease_owner = NULL, lease_until = NULL "
                + "WHERE id = ? AND lease_owner = ?", ps -> {
            ps.setString(1, nextAt == null ? FAILED : PENDING);
            setInstant(ps, 2, nextAt);
            if (status == null) {
                ps.setNull(3, Types.INTEGER);
            } else {
                ps.setInt(3, status);
            }
            ps.setString(4, clip(error, ERROR_MAX));
            ps.setLong(5, id);
            ps.setString(6, owner);
        });
    }

    /** The deliveries of one callback, oldest first. */
    public Future<List<Delivery>> deliveries(String callbackId) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM webhook_deliveries WHERE callback_id = ? ORDER BY id")) {
                ps.setString(1, callbackId);
                List<Delivery> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private Future<Boolean> update(String sql, Binder binder) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static Delivery read(ResultSet rs) throws SQLException {
        int status = rs.getInt("last_status");
        Integer lastStatus = rs.wasNull() ? null : status;
        return new Delivery(rs.getLong("id"), rs.getLong("event_id"), rs.getString("callback_id"),
                rs.getString("url"), rs.getString("status"), rs.getInt("attempts"), getInstant(rs, "next_at"),
                lastStatus, rs.getString("last_error"), getInstant(rs, "created_at"), getInstant(rs, "delivered_at"));
    }

    /** Cut to what DATETIME(3) keeps. */
    public static Instant stored(Instant t) {
        return millis(t);
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
