package io.huibo.store;

import io.huibo.domain.Leg;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/** The tries of routes the dialplan reported ({@code report} script), in table {@code route_tries}. */
public final class RouteTryStore implements AutoCloseable {

    /**
     * One Dial() of one route.
     *
     * @param tryIndex   1-based index in the leg's failover list (the dialplan's HUIBO_TRY)
     * @param trunkId    null when the reporting instance no longer knew what it handed out
     * @param dialString null likewise
     * @param dialStatus Asterisk's DIALSTATUS (ANSWER, BUSY, NOANSWER, CONGESTION, CHANUNAVAIL, ...)
     * @param cause      HANGUPCAUSE, null when the dialplan had none
     */
    public record RouteTry(String callbackId, int attempt, Leg leg, int tryIndex, String trunkId, String dialString,
                           String dialStatus, Integer cause, Instant at) {
        public RouteTry {
            Objects.requireNonNull(callbackId, "callbackId");
            Objects.requireNonNull(leg, "leg");
            Objects.requireNonNull(dialStatus, "dialStatus");
            Objects.requireNonNull(at, "at");
        }
    }

    private static final String COLUMNS = "callback_id, attempt, leg, `try`, trunk_id, dial_string, dial_status, cause, at";
    private static final String ROW = "(?,?,?,?,?,?,?,?,?)";
    /** A later report of the same try replaces the earlier one, also within one multi-row INSERT. */
    private static final String UPSERT = " ON DUPLICATE KEY UPDATE trunk_id = VALUES(trunk_id), "
            + "dial_string = VALUES(dial_string), dial_status = VALUES(dial_status), "
            + "cause = VALUES(cause), at = VALUES(at)";
    static final int MAX_BATCH = 500;

    private record PendingTry(RouteTry routeTry, CompletableFuture<Void> result) {
    }

    private final DataSource ds;
    /** Reads only: the writes have their writer. */
    private final ExecutorService executor = StoreSupport.executor("huibo-tries", 1);
    /**
     * About two tries per call, each in its own autocommit, cost a log flush each: they are
     * group-committed instead. One writer is plenty for that rate and keeps one pool connection.
     */
    private final GroupCommit<PendingTry> writes;
    private final AtomicLong commits = new AtomicLong();

    public RouteTryStore(Database db) {
        this.ds = db.dataSource();
        this.writes = new GroupCommit<>("huibo-tries-writer", ds, 1, MAX_BATCH, this::writeBatch,
                PendingTry::result);
    }

    /**
     * Records a try; the same try reported again (a repeated AGI) replaces the first report. Completes
     * once committed; tries recorded at the same time share one INSERT and one commit.
     */
    public Future<Void> record(RouteTry t) {
        Context ctx = Vertx.currentContext();
        CompletableFuture<Void> result = new CompletableFuture<>();
        writes.submit(new PendingTry(t, result));
        return StoreSupport.back(result, ctx);
    }

    /** How many group commits of tries succeeded (a try retried alone after a failed group counts once). */
    public long commitCount() {
        return commits.get();
    }

    private Runnable writeBatch(Connection c, List<PendingTry> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO route_tries (" + COLUMNS + ") VALUES "
                + StoreSupport.rows(ROW, batch.size()) + UPSERT)) {
            int i = 1;
            for (PendingTry p : batch) {
                RouteTry t = p.routeTry();
                ps.setString(i++, t.callbackId());
                ps.setInt(i++, t.attempt());
                ps.setString(i++, t.leg().name());
                ps.setInt(i++, t.tryIndex());
                ps.setString(i++, StoreSupport.clip(t.trunkId(), 64));
                ps.setString(i++, StoreSupport.clip(t.dialString(), 255));
                ps.setString(i++, StoreSupport.clip(t.dialStatus(), 16));
                if (t.cause() == null) {
                    ps.setNull(i++, Types.INTEGER);
                } else {
                    ps.setInt(i++, t.cause());
                }
                StoreSupport.setInstant(ps, i++, t.at());
            }
            ps.executeUpdate();
        }
        return () -> {
            commits.incrementAndGet();
            batch.forEach(p -> p.result().complete(null));
        };
    }

    /** Every try of a callback, by attempt, leg, try. */
    public Future<List<RouteTry>> tries(String callbackId) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                         + " FROM route_tries WHERE callback_id = ? ORDER BY attempt, leg, `try`")) {
                ps.setString(1, callbackId);
                List<RouteTry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int cause = rs.getInt("cause");
                        Integer c2 = rs.wasNull() ? null : cause;
                        out.add(new RouteTry(rs.getString("callback_id"), rs.getInt("attempt"),
                                Leg.fromWire(rs.getString("leg")), rs.getInt("try"), rs.getString("trunk_id"),
                                rs.getString("dial_string"), rs.getString("dial_status"), c2,
                                StoreSupport.getInstant(rs, "at")));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void close() {
        writes.close();
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
