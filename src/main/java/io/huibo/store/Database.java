package io.huibo.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.huibo.config.HuiboConfig;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MariaDB connection pool, with the schema migrated. Opening creates the database named in the
 * URL when it does not exist yet (so a fresh install needs only a user with rights on it), then runs
 * the Flyway migrations packaged from sql/ under classpath db/migration.
 */
public final class Database implements AutoCloseable {

    static final int CONNECT_TIMEOUT_MS = 3000;
    /** Every session works in UTC, so DATETIME values and NOW() agree with the Instants we bind. */
    static final String SESSION_INIT = "SET time_zone = '+00:00'";

    private static final Pattern URL = Pattern.compile("^(jdbc:[a-z]+:(?:[a-z:]+:)?//[^/?]*)(?:/([^?]*))?(\\?.*)?$");
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}");

    private final HikariDataSource dataSource;
    private final int poolSize;

    private Database(HikariDataSource dataSource, int poolSize) {
        this.dataSource = dataSource;
        this.poolSize = poolSize;
    }

    /**
     * Blocking: call at start, off any event loop. Fails within a few seconds with a one-line
     * {@link StoreUnavailableException} when MariaDB is unreachable, refuses the credentials, or the
     * migration fails.
     */
    public static Database open(HuiboConfig.Db cfg) {
        Matcher m = URL.matcher(cfg.url());
        if (!m.matches()) {
            throw new StoreUnavailableException("Invalid MariaDB URL " + cfg.url().replaceAll("\\?.*", ""), null);
        }
        String server = m.group(1);
        String dbName = m.group(2) == null || m.group(2).isEmpty() ? null : m.group(2);
        String query = m.group(3) == null ? "" : m.group(3);
        String shown = server + (dbName == null ? "" : "/" + dbName);
        if (dbName != null && !DB_NAME.matcher(dbName).matches()) {
            throw new StoreUnavailableException("Invalid database name in " + shown
                    + " (letters, digits, _ and $ only)", null);
        }

        createIfMissing(server + "/" + query, dbName, cfg, shown);

        HikariConfig hc = new HikariConfig();
        hc.setPoolName("huibo-db");
        hc.setJdbcUrl(cfg.url());
        hc.setUsername(cfg.user());
        hc.setPassword(cfg.password());
        hc.setMaximumPoolSize(Math.max(2, cfg.poolSize()));
        hc.setConnectionTimeout(5000);
        hc.setInitializationFailTimeout(CONNECT_TIMEOUT_MS);
        hc.setConnectionInitSql(SESSION_INIT);
        hc.addDataSourceProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MS));
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw translate(e, cfg, shown);
        }
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreUnavailableException("Schema migration failed on " + shown + ": " + oneLine(e), e);
        }
        return new Database(ds, Math.max(2, cfg.poolSize()));
    }

    public DataSource dataSource() {
        return dataSource;
    }

    int poolSize() {
        return poolSize;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** Connects to the server without a database (it may not exist yet) and creates it if needed. */
    private static void createIfMissing(String serverUrl, String dbName, HuiboConfig.Db cfg, String shown) {
        Properties props = new Properties();
        if (cfg.user() != null) {
            props.setProperty("user", cfg.user());
        }
        if (cfg.password() != null) {
            props.setProperty("password", cfg.password());
        }
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MS));
        try (Connection c = DriverManager.getConnection(serverUrl, props)) {
            if (dbName == null) {
                return;
            }
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
                ps.setString(1, dbName);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement st = c.createStatement()) {
                    // dbName matched [A-Za-z0-9_$]+ above, so quoting it with backticks is safe.
                    st.execute("CREATE DATABASE IF NOT EXISTS `" + dbName
                            + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
                }
            }
        } catch (SQLException e) {
            throw translate(e, cfg, shown);
        }
    }

    static StoreUnavailableException translate(Throwable e, HuiboConfig.Db cfg, String shown) {
        SQLException sql = findSql(e);
        if (sql != null && (sql.getErrorCode() == 1045 || "28000".equals(sql.getSQLState()))) {
            return new StoreUnavailableException("MariaDB refused user " + cfg.user() + ": Access denied", e);
        }
        if (sql != null && sql.getErrorCode() == 1044) {
            return new StoreUnavailableException("MariaDB refused user " + cfg.user() + ": "
                    + stripConn(sql.getMessage()), e);
        }
        return new StoreUnavailableException("MariaDB unreachable at " + shown + ": " + oneLine(e), e);
    }

    private static SQLException findSql(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    /** Root cause message on one line, without the connector's "(conn=12) " prefix. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = root.getClass().getSimpleName();
        }
        msg = stripConn(msg.replaceAll("[\\r\\n]+", " ").trim());
        return msg;
    }

    private static String stripConn(String msg) {
        return msg == null ? "" : msg.replaceFirst("^\\(conn=\\d+\\)\\s*", "");
    }
}
