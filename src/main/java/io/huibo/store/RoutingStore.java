package io.huibo.store;

import io.huibo.domain.Leg;
import io.huibo.routing.DialTemplate;
import io.huibo.routing.Rate;
import io.huibo.routing.Route;
import io.huibo.routing.RouteStrategies;
import io.huibo.routing.RouteTable;
import io.huibo.routing.RoutingData;
import io.huibo.routing.RoutingSource;
import io.huibo.routing.TimeWindow;
import io.huibo.routing.Trunk;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Trunks, routes, rates and route tables in MariaDB. An import replaces one of them whole in one
 * transaction that also bumps {@code routing_version}, so instances polling the version reload
 * after every import and never see half of one. Imports are serialized by a lock on the version
 * row, which also makes their checks of trunk references hold until they commit.
 */
public final class RoutingStore implements RoutingSource {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingStore.class);

    /** A row refers to a trunk that does not exist, or a trunk still in use would be removed. */
    public static final class ReferenceException extends IllegalArgumentException {
        private final int index;

        ReferenceException(int index, String message) {
            super(message, null);
            this.index = index;
        }

        /** Index of the offending row in the imported list; -1 when it is a row not in the import. */
        public int index() {
            return index;
        }
    }

    private final DataSource ds;
    /** One thread: loads and imports are rare and must not take the callbacks' connections. */
    private final ExecutorService executor = StoreSupport.executor("huibo-routing", 1);

    public RoutingStore(Database db) {
        this.ds = db.dataSource();
    }

    @Override
    public Future<Long> version() {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection()) {
                return readVersion(c, false);
            }
        });
    }

    @Override
    public Future<RoutingData> load() {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    // one consistent snapshot (REPEATABLE READ) for the version and every table
                    RoutingData data = new RoutingData(readVersion(c, false), loadTrunks(c), loadRoutes(c),
                            loadRates(c), loadTables(c));
                    c.commit();
                    return data;
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    // ---------------------------------------------------------------- imports

    /** Replaces every trunk; fails when a route or rate still names a trunk that would go. */
    public Future<Long> replaceTrunks(List<Trunk> trunks) {
        List<Trunk> rows = List.copyOf(trunks);
        return replace(c -> {
            Set<String> keep = new HashSet<>();
            rows.forEach(t -> keep.add(t.id()));
            for (String sql : List.of("SELECT DISTINCT trunk_id, 'routes' FROM routing_routes",
                    "SELECT DISTINCT trunk_id, 'rates' FROM routing_rates")) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                    while (rs.next()) {
                        if (!keep.contains(rs.getString(1))) {
                            throw new ReferenceException(-1, "trunk '" + rs.getString(1) + "' is still used by "
                                    + rs.getString(2) + "; import " + rs.getString(2) + " without it first");
                        }
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM routing_trunks");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO routing_trunks "
                    + "(id, dial_template, max_concurrent, max_cps, enabled) VALUES (?,?,?,?,?)")) {
                for (Trunk t : rows) {
                    ps.setString(1, t.id());
                    ps.setString(2, t.dial().template());
                    ps.setInt(3, t.maxConcurrent());
                    ps.setInt(4, t.maxCallsPerSecond());
                    ps.setBoolean(5, t.enabled());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** Replaces every route of every table; each must name an existing trunk. */
    public Future<Long> replaceRoutes(List<Route> routes) {
        List<Route> rows = List.copyOf(routes);
        return replace(c -> {
            checkTrunks(c, rows.stream().map(Route::trunkId).toList());
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM routing_routes");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO routing_routes (seq, route_table, leg, "
                    + "prefix, trunk_id, weight, tz, days, start_time, end_time) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                int seq = 0;
                for (Route r : rows) {
                    TimeWindow w = r.window();
                    ps.setInt(1, ++seq);
                    ps.setString(2, r.table());
                    ps.setString(3, r.leg() == null ? null : r.leg().wire());
                    ps.setString(4, r.prefix());
                    ps.setString(5, r.trunkId());
                    ps.setInt(6, r.weight());
                    setOrNull(ps, 7, w == null ? null : w.tzField());
                    setOrNull(ps, 8, w == null ? null : w.daysField());
                    setOrNull(ps, 9, w == null || w.start() == null ? null : w.startField());
                    setOrNull(ps, 10, w == null || w.end() == null ? null : w.endField());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** Replaces every rate; each must name an existing trunk. */
    public Future<Long> replaceRates(List<Rate> rates) {
        List<Rate> rows = List.copyOf(rates);
        return replace(c -> {
            checkTrunks(c, rows.stream().map(Rate::trunkId).toList());
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM routing_rates");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO routing_rates (trunk_id, prefix, cost_per_minute) VALUES (?,?,?)")) {
                for (Rate r : rows) {
                    ps.setString(1, r.trunkId());
                    ps.setString(2, r.prefix());
                    ps.setBigDecimal(3, r.costPerMinute());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** Replaces every table's strategy chain. */
    public Future<Long> replaceTables(List<RouteTable> tables) {
        List<RouteTable> rows = List.copyOf(tables);
        return replace(c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM routing_tables");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO routing_tables (name, strategies) VALUES (?,?)")) {
                for (RouteTable t : rows) {
                    ps.setString(1, t.name());
                    ps.setString(2, String.join(",", t.strategies()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    @FunctionalInterface
    private interface Work {
        void run(Connection c) throws SQLException;
    }

    /** The import in one transaction, after the version row is locked; the new version. */
    private Future<Long> replace(Work work) {
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    long v = readVersion(c, true) + 1;
                    work.run(c);
                    try (PreparedStatement ps = c.prepareStatement("UPDATE routing_version SET version = ? WHERE id = 1")) {
                        ps.setLong(1, v);
                        ps.executeUpdate();
                    }
                    c.commit();
                    return v;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    private static void checkTrunks(Connection c, List<String> used) throws SQLException {
        Set<String> known = new HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM routing_trunks")) {
            while (rs.next()) {
                known.add(rs.getString(1));
            }
        }
        for (int i = 0; i < used.size(); i++) {
            if (!known.contains(used.get(i))) {
                throw new ReferenceException(i, "no trunk '" + used.get(i) + "'; import trunks with it first");
            }
        }
    }

    private static long readVersion(Connection c, boolean lock) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM routing_version WHERE id = 1"
                     + (lock ? " FOR UPDATE" : ""))) {
            if (!rs.next()) {
                throw new SQLException("routing_version has no row; the schema is not migrated");
            }
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------- loading

    // A row someone edited by hand into something unusable is skipped with a warning: one bad row
    // must not take every route down.

    private static List<Trunk> loadTrunks(Connection c) throws SQLException {
        List<Trunk> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT id, dial_template, max_concurrent, max_cps, enabled FROM routing_trunks ORDER BY id")) {
            while (rs.next()) {
                try {
                    out.add(new Trunk(rs.getString(1), DialTemplate.parse(rs.getString(2)), rs.getInt(3),
                            rs.getInt(4), rs.getBoolean(5)));
                } catch (IllegalArgumentException e) {
                    LOG.warn("routing: skipping trunk '{}': {}", rs.getString(1), e.getMessage());
                }
            }
        }
        return out;
    }

    private static List<Route> loadRoutes(Connection c) throws SQLException {
        List<Route> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT seq, route_table, leg, "
                + "prefix, trunk_id, weight, tz, days, start_time, end_time FROM routing_routes ORDER BY seq")) {
            while (rs.next()) {
                try {
                    String leg = rs.getString(3);
                    out.add(new Route(rs.getString(2), leg == null ? null : Leg.fromWire(leg), rs.getString(4),
                            rs.getString(5), rs.getInt(6),
                            TimeWindow.parse(rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10))));
                } catch (IllegalArgumentException e) {
                    LOG.warn("routing: skipping route #{}: {}", rs.getInt(1), e.toString());
                }
            }
        }
        return out;
    }

    private static List<Rate> loadRates(Connection c) throws SQLException {
        List<Rate> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT trunk_id, prefix, cost_per_minute FROM routing_rates ORDER BY trunk_id, prefix")) {
            while (rs.next()) {
                try {
                    out.add(new Rate(rs.getString(1), rs.getString(2), rs.getBigDecimal(3)));
                } catch (IllegalArgumentException e) {
                    LOG.warn("routing: skipping rate {}/{}: {}", rs.getString(1), rs.getString(2), e.getMessage());
                }
            }
        }
        return out;
    }

    private static List<RouteTable> loadTables(Connection c) throws SQLException {
        List<RouteTable> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT name, strategies FROM routing_tables ORDER BY name")) {
            while (rs.next()) {
                try {
                    out.add(new RouteTable(rs.getString(1), RouteStrategies.parseChain(rs.getString(2))));
                } catch (IllegalArgumentException e) {
                    LOG.warn("routing: skipping table '{}': {}", rs.getString(1), e.getMessage());
                }
            }
        }
        return out;
    }

    private static void setOrNull(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }
}
