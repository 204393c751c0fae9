package io.huibo.store;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A database of its own on the real MariaDB at 127.0.0.1:3306 for one IT class, migrated from sql/ on
 * open; {@link #close()} drops it.
 */
public final class ItDatabase implements AutoCloseable {
    static final String SERVER = System.getProperty("huibo.it.db", "jdbc:mariadb://127.0.0.1:3306");
    static final String USER = "huibo";
    static final String PASSWORD = Optional.ofNullable(System.getenv("HUIBO_DB_PASSWORD")).orElse("huibo-dev-password");

    public final String name = "huibo_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    public final Database db;

    public ItDatabase(int poolSize) {
        db = open(poolSize);
    }

    /** Another pool on the same database. */
    public Database open(int poolSize) {
        return Database.open(new HuiboConfig.Db(SERVER + "/" + name, USER, PASSWORD, poolSize));
    }

    /** Another pool on the same database, reached through a local port (a {@code TcpProxy}'s). */
    public Database openVia(int port, int poolSize) {
        return Database.open(new HuiboConfig.Db("jdbc:mariadb://127.0.0.1:" + port + "/" + name, USER, PASSWORD,
                poolSize));
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE `" + name + "`");
        } finally {
            db.close();
        }
    }

    public static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** A queued callback, due now, not yet stored. */
    private static final java.util.concurrent.atomic.AtomicLong NUMBERS = new java.util.concurrent.atomic.AtomicLong();

    /** A queued callback; each with a number of its own, so deduplication (one active per pair) never merges them. */
    public static Callback newCallback(String idempotencyKey) {
        Instant now = Instant.now();
        return new Callback(CallbackIds.next(), PhoneNumber.e164("+4930" + (123456 + NUMBERS.incrementAndGet())),
                PhoneNumber.of("2001"), null,
                3, 3, Map.of(), idempotencyKey, CallState.QUEUED, 0, now, now, now);
    }
}
