package io.huibo.store;

import io.huibo.auth.KeyToken;
import io.huibo.auth.Scope;
import io.vertx.core.Future;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * API keys in MariaDB: only the SHA-256 of a key's secret is stored. Every change is one transaction
 * that also bumps {@code api_key_version}, which every instance polls. Rows are only inserted under a
 * fresh random key id or updated by key id, never upserted: two instances cannot overwrite each
 * other's keys.
 */
public final class ApiKeyStore implements AutoCloseable {

    /** A stored key, without its secret. */
    public record Row(String keyId, String name, Set<Scope> scopes, String secretSha256, String webhook,
                      Instant createdAt, Instant rotatedAt, Instant revokedAt, List<String> allow, List<String> deny,
                      String defaultProfile) {
        public Row {
            allow = allow == null ? List.of() : List.copyOf(allow);
            deny = deny == null ? List.of() : List.copyOf(deny);
        }

        public boolean active() {
            return revokedAt == null;
        }
    }

    private final DataSource ds;
    /** One thread: the 200 ms version poll never piles up behind itself. */
    private final ExecutorService executor = StoreSupport.executor("huibo-apikeys", 1);

    public ApiKeyStore(Database db) {
        this.ds = db.dataSource();
    }

    /** Blocking. */
    public long version() throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT version FROM api_key_version WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Blocking: every key, revoked ones too, oldest first. */
    public List<Row> all() throws SQLException {
        List<Row> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT key_id, name, scopes, secret_sha256, webhook, "
                     + "created_at, rotated_at, revoked_at, guard_allow, guard_deny, default_profile FROM api_keys ORDER BY created_at, key_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Row(rs.getString("key_id"), rs.getString("name"), Scope.split(rs.getString("scopes")),
                        rs.getString("secret_sha256"), rs.getString("webhook"),
                        StoreSupport.getInstant(rs, "created_at"), StoreSupport.getInstant(rs, "rotated_at"),
                        StoreSupport.getInstant(rs, "revoked_at"), split(rs.getString("guard_allow")),
                        split(rs.getString("guard_deny")), rs.getString("default_profile")));
            }
        }
        return out;
    }

    /** {@link #version()} on this store's thread (for the poller). */
    public Future<Long> currentVersion() {
        return StoreSupport.blocking(executor, this::version);
    }

    public Future<List<Row>> list() {
        return StoreSupport.blocking(executor, this::all);
    }

    /**
     * @param allow          the key's own toll-fraud allow entries, {@code deny} its deny prefixes
     * @param defaultProfile retry profile of the callbacks it submits that name none; null: the server's
     */
    public Future<Row> create(KeyToken token, String name, Set<Scope> scopes, String webhook, List<String> allow,
                              List<String> deny, String defaultProfile, Instant now) {
        return StoreSupport.blocking(executor, () -> changing(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (key_id, name, scopes, "
                    + "secret_sha256, webhook, created_at, guard_allow, guard_deny, default_profile) "
                    + "VALUES (?,?,?,?,?,?,?,?,?)")) {
                ps.setString(9, defaultProfile);
                ps.setString(1, token.keyId());
                ps.setString(2, name);
                ps.setString(3, Scope.join(scopes));
                ps.setString(4, token.secretSha256Hex());
                ps.setString(5, webhook);
                StoreSupport.setInstant(ps, 6, now);
                ps.setString(7, join(allow));
                ps.setString(8, join(deny));
                ps.executeUpdate();
            }
            return new Row(token.keyId(), name, scopes, token.secretSha256Hex(), webhook,
                    StoreSupport.millis(now), null, null, allow, deny, defaultProfile);
        }));
    }

    /** Replaces a key's own toll-fraud entries, a null list keeping its own (revoked keys too: nothing is refused by it anyway); empty if no such key. */
    public Future<Optional<Row>> setGuards(String keyId, List<String> allow, List<String> deny) {
        return StoreSupport.blocking(executor, () -> changing(c -> {
            // one statement: a field left out keeps its column, whatever another change wrote meanwhile
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET guard_allow = IF(?, ?, guard_allow), "
                    + "guard_deny = IF(?, ?, guard_deny) WHERE key_id = ?")) {
                ps.setBoolean(1, allow != null);
                ps.setString(2, join(allow));
                ps.setBoolean(3, deny != null);
                ps.setString(4, join(deny));
                ps.setString(5, keyId);
                if (ps.executeUpdate() == 0) {
                    return Optional.<Row>empty();
                }
            }
            return find(c, keyId);
        }));
    }

    private static String join(List<String> entries) {
        return entries == null || entries.isEmpty() ? null : String.join(" ", entries);
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    /** A new secret for an active key; empty if there is no such active key. */
    public Future<Optional<Row>> rotate(KeyToken token, Instant now) {
        return StoreSupport.blocking(executor, () -> changing(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET secret_sha256 = ?, rotated_at = ? "
                    + "WHERE key_id = ? AND revoked_at IS NULL")) {
                ps.setString(1, token.secretSha256Hex());
                StoreSupport.setInstant(ps, 2, now);
                ps.setString(3, token.keyId());
                if (ps.executeUpdate() == 0) {
                    return Optional.<Row>empty();
                }
            }
            return find(c, token.keyId());
        }));
    }

    /** Revokes a key (a repeat changes nothing and answers the key as it is); empty if it does not exist. */
    public Future<Optional<Row>> revoke(String keyId, Instant now) {
        return StoreSupport.blocking(executor, () -> changing(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ? "
                    + "WHERE key_id = ? AND revoked_at IS NULL")) {
                StoreSupport.setInstant(ps, 1, now);
                ps.setString(2, keyId);
                ps.executeUpdate();
            }
            return find(c, keyId);
        }));
    }

    private interface Change<T> {
        T run(Connection c) throws SQLException;
    }

    /** {@code work} and the version bump in one transaction. */
    private <T> T changing(Change<T> work) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE api_key_version SET version = version + 1 WHERE id = 1")) {
                    ps.executeUpdate();
                }
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static Optional<Row> find(Connection c, String keyId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT key_id, name, scopes, secret_sha256, webhook, "
                + "created_at, rotated_at, revoked_at, guard_allow, guard_deny, default_profile FROM api_keys WHERE key_id = ?")) {
            ps.setString(1, keyId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Row(rs.getString("key_id"), rs.getString("name"),
                        Scope.split(rs.getString("scopes")), rs.getString("secret_sha256"), rs.getString("webhook"),
                        StoreSupport.getInstant(rs, "created_at"), StoreSupport.getInstant(rs, "rotated_at"),
                        StoreSupport.getInstant(rs, "revoked_at"), split(rs.getString("guard_allow")),
                        split(rs.getString("guard_deny")), rs.getString("default_profile")));
            }
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
