package io.huibo.store;

import io.huibo.domain.Leg;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
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

    private final DataSource ds;
    private final ExecutorService executor = StoreSupport.executor("huibo-tries", 2);

    public RouteTryStore(Database db) {
        this.ds = db.dataSource();
    }

    /** Records a try; the same try reported again (a repeated AGI) replaces the first report. */
    public Future<Void> record(RouteTry t) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT INTO route_tries (" + COLUMNS
                         + ") VALUES (?,?,?,?,?,?,?,?,?) ON DUPLICATE KEY UPDATE trunk_id = VALUES(trunk_id), "
                         + "dial_string = VALUES(dial_string), dial_status = VALUES(dial_status), "
                         + "cause = VALUES(cause), at = VALUES(at)")) {
                ps.setString(1, t.callbackId());
                ps.setInt(2, t.attempt());
                ps.setString(3, t.leg().name());
                ps.setInt(4, t.tryIndex());
                ps.setString(5, StoreSupport.clip(t.trunkId(), 64));
                ps.setString(6, StoreSupport.clip(t.dialString(), 255));
                ps.setString(7, StoreSupport.clip(t.dialStatus(), 16));
                if (t.cause() == null) {
                    ps.setNull(8, Types.INTEGER);
                } else {
                    ps.setInt(8, t.cause());
                }
                StoreSupport.setInstant(ps, 9, t.at());
                ps.executeUpdate();
                return null;
            }
        });
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
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
