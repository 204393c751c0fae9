package io.huibo.store;

import io.vertx.core.Future;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * API keys. Only the SHA-256 (hex) of a token is stored, never the token. {@link #verify} answers from
 * an in-memory copy of the hashes, reloaded when older than {@link #REFRESH} (so a key added or removed
 * by another instance counts within seconds), and compares in constant time.
 */
public final class ApiKeyStore {

    static final Duration REFRESH = Duration.ofSeconds(5);

    private record Cache(List<byte[]> hashes, long loadedAtNanos) {
    }

    private final DataSource ds;
    /** One thread: reloads never overlap, and it ends by itself when idle (the store has no close). */
    private final ExecutorService executor = StoreSupport.executor("huibo-apikeys", 1);
    private volatile Cache cache;
    /** Tokens already checked against the current cache (invalidated when it reloads). */
    private final Map<String, Cache> recent = new ConcurrentHashMap<>();
    private static final int RECENT_MAX = 1024;

    public ApiKeyStore(Database db) {
        this.ds = db.dataSource();
    }

    /** Stores the token's hash under {@code name}, replacing the hash a name had before. */
    public Future<Void> ensure(String name, String token) {
        Objects.requireNonNull(name, "name");
        if (token == null || token.isEmpty()) {
            return Future.failedFuture(new IllegalArgumentException("empty API token"));
        }
        String hash = sha256Hex(token);
        return StoreSupport.blocking(executor, () -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (name, sha256, created_at) "
                         + "VALUES (?,?,?) ON DUPLICATE KEY UPDATE sha256 = VALUES(sha256)")) {
                ps.setString(1, name);
                ps.setString(2, hash);
                StoreSupport.setInstant(ps, 3, Instant.now());
                ps.executeUpdate();
            }
            cache = load();
            return null;
        });
    }

    /** True if the token's hash is a stored key. */
    public Future<Boolean> verify(String token) {
        if (token == null || token.isEmpty()) {
            return Future.succeededFuture(false);
        }
        Cache current = cache;
        boolean fresh = current != null && System.nanoTime() - current.loadedAtNanos() < REFRESH.toNanos();
        // a token that matched this very cache needs no second hash: every API call carries one
        if (fresh && recent.get(token) == current) {
            return Future.succeededFuture(true);
        }
        byte[] hash = sha256(token);
        if (fresh) {
            boolean ok = matches(current, hash);
            if (ok) {
                if (recent.size() >= RECENT_MAX) {
                    recent.clear();
                }
                recent.put(token, current);
            }
            return Future.succeededFuture(ok);
        }
        return StoreSupport.blocking(executor, () -> {
            Cache c = cache;
            // Another verify may have reloaded while this one waited for the thread.
            if (c == null || System.nanoTime() - c.loadedAtNanos() >= REFRESH.toNanos()) {
                c = load();
                cache = c;
            }
            return matches(c, hash);
        });
    }

    private Cache load() throws SQLException {
        List<byte[]> hashes = new ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM api_keys");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                hashes.add(HexFormat.of().parseHex(rs.getString(1)));
            }
        }
        return new Cache(List.copyOf(hashes), System.nanoTime());
    }

    /** Compares against every stored hash without stopping early, each in constant time. */
    private static boolean matches(Cache cache, byte[] hash) {
        boolean found = false;
        for (byte[] known : cache.hashes()) {
            found |= MessageDigest.isEqual(known, hash);
        }
        return found;
    }

    static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
