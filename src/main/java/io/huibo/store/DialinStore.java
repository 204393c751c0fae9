package io.huibo.store;

import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** Callers allowed to use the dial-in hook ({@code dialin_callers}). */
public final class DialinStore implements AutoCloseable {

    /**
     * @param pinHash     null when no PIN is asked for; never the PIN itself
     * @param destination null when the caller keys it in (now or when called back)
     * @param collectNow  ask for the destination during the dial-in call
     */
    public record Caller(PhoneNumber number, String pinHash, PhoneNumber destination, boolean collectNow,
                         boolean enabled, Instant createdAt) {
        public Caller {
            Objects.requireNonNull(number, "number");
        }
    }

    /** A callback to the caller: the one just created, or the one already pending ({@code existing}). */
    public record Registration(String callbackId, boolean existing) {
    }

    private static final String COLUMNS = "number, pin_hash, destination, collect_now, enabled, created_at";
    /** How long a registration may wait for the callback to be accepted while it holds the caller's row. */
    private static final long SUBMIT_WAIT_SECONDS = 15;

    private final DataSource ds;
    private final ExecutorService executor;

    public DialinStore(Database db) {
        this.ds = db.dataSource();
        this.executor = StoreSupport.executor("huibo-dialin", Math.max(1, Math.min(4, db.poolSize() / 2)));
    }

    /** Adds or replaces a caller; a replaced caller keeps its creation time. */
    public Future<Void> put(Caller c) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection conn = ds.getConnection();
                 PreparedStatement ps = conn.prepareStatement("INSERT INTO dialin_callers (" + COLUMNS
                         + ") VALUES (?,?,?,?,?,?) ON DUPLICATE KEY UPDATE pin_hash = VALUES(pin_hash), "
                         + "destination = VALUES(destination), collect_now = VALUES(collect_now), "
                         + "enabled = VALUES(enabled)")) {
                ps.setString(1, c.number().value());
                ps.setString(2, c.pinHash());
                ps.setString(3, c.destination() == null ? null : c.destination().value());
                ps.setBoolean(4, c.collectNow());
                ps.setBoolean(5, c.enabled());
                StoreSupport.setInstant(ps, 6, c.createdAt() == null ? Instant.now() : c.createdAt());
                ps.executeUpdate();
                return null;
            }
        });
    }

    public Future<Optional<Caller>> find(PhoneNumber number) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection conn = ds.getConnection();
                 PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM dialin_callers WHERE number = ?")) {
                ps.setString(1, number.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<Caller>empty();
                }
            }
        });
    }

    /** All callers by number, at most {@code limit}. */
    public Future<List<Caller>> list(int limit) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection conn = ds.getConnection();
                 PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS
                         + " FROM dialin_callers ORDER BY number LIMIT ?")) {
                ps.setInt(1, limit);
                List<Caller> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** True if the caller existed. */
    public Future<Boolean> remove(PhoneNumber number) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection conn = ds.getConnection();
                 PreparedStatement ps = conn.prepareStatement("DELETE FROM dialin_callers WHERE number = ?")) {
                ps.setString(1, number.value());
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * Registers at most one pending callback per caller, across instances: the caller's row is locked
     * ({@code SELECT ... FOR UPDATE}) while it looks for a QUEUED or DIALING callback to that number
     * and, if there is none, while {@code submit} creates one. A second dial-in of the same caller
     * waits for the lock and then finds the first one's callback. Empty when the caller is not
     * registered (or no longer enabled).
     *
     * @param submit creates the callback and completes with its id; called at most once, on a store thread
     */
    public Future<Optional<Registration>> registerOnce(PhoneNumber number, Supplier<Future<String>> submit) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection conn = ds.getConnection()) {
                conn.setAutoCommit(false);
                try {
                    Optional<Registration> r = registerLocked(conn, number, submit);
                    conn.commit();
                    return r;
                } catch (Exception e) {
                    try {
                        conn.rollback();
                    } catch (SQLException ignored) {
                        // broken connection: the pool discards it
                    }
                    throw e;
                } finally {
                    conn.setAutoCommit(true);
                }
            }
        });
    }

    private static Optional<Registration> registerLocked(Connection conn, PhoneNumber number,
                                                         Supplier<Future<String>> submit) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT enabled FROM dialin_callers WHERE number = ? FOR UPDATE")) {
            ps.setString(1, number.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return Optional.empty();
                }
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT id FROM callbacks WHERE number = ? "
                + "AND state IN ('queued', 'dialing') ORDER BY created_at LIMIT 1")) {
            ps.setString(1, number.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return Optional.of(new Registration(rs.getString(1), true));
                }
            }
        }
        String id = submit.get().toCompletionStage().toCompletableFuture().get(SUBMIT_WAIT_SECONDS, TimeUnit.SECONDS);
        return Optional.of(new Registration(id, false));
    }

    private static Caller read(ResultSet rs) throws SQLException {
        String dest = rs.getString("destination");
        return new Caller(PhoneNumber.of(rs.getString("number")), rs.getString("pin_hash"),
                dest == null ? null : PhoneNumber.of(dest), rs.getBoolean("collect_now"), rs.getBoolean("enabled"),
                StoreSupport.getInstant(rs, "created_at"));
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
