package io.huibo.auth;

import io.huibo.store.ApiKeyStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies API keys from an in-memory copy of the key table, so a request costs one SHA-256 and no
 * database round trip. The copy is reloaded when {@code api_key_version} moves (polled every
 * {@link #POLL}; every change bumps it in its own transaction), which is how a key revoked on one
 * instance is refused by all within a second. While MariaDB does not answer the poll, the last copy
 * holds (the API keeps serving; a revocation elsewhere counts once the poll gets through again).
 *
 * <p>The config token is the bootstrap admin (every scope) only while no active key exists: once the
 * first key is created it is refused, and it counts again only if every key is revoked (the way back
 * in for whoever holds the server's configuration).
 */
public final class ApiKeys implements io.huibo.api.TokenVerifier {
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    static final Duration POLL = Duration.ofMillis(200);
    /** A reload even without a version change, in case a row was changed by hand in SQL. */
    static final Duration FULL_RELOAD = Duration.ofSeconds(30);

    private record Snapshot(long version, Map<String, ApiKeyStore.Row> byId, boolean anyActive, long loadedAtNanos) {
    }

    private final ApiKeyStore store;
    private final byte[] bootstrapHash;
    private final Clock clock;
    private volatile Snapshot snapshot = new Snapshot(-1, Map.of(), true, 0);
    private volatile boolean polling;
    private long timer = -1;
    private Vertx vertx;

    /** @param bootstrapToken the configured {@code http.apiToken}; null or empty: no bootstrap */
    public ApiKeys(ApiKeyStore store, String bootstrapToken, Clock clock) {
        this.store = store;
        this.bootstrapHash = bootstrapToken == null || bootstrapToken.isEmpty() ? null : KeyToken.sha256(bootstrapToken);
        this.clock = clock;
    }

    /** Loads the keys, then polls for changes until {@link #stop}. */
    public Future<Void> start(Vertx vertx) {
        this.vertx = vertx;
        return reload().onSuccess(v -> timer = vertx.setPeriodic(POLL.toMillis(), id -> poll())).mapEmpty();
    }

    public void stop() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void poll() {
        if (polling) {
            return;
        }
        polling = true;
        Snapshot current = snapshot;
        store.currentVersion().compose(v -> v != current.version()
                        || System.nanoTime() - current.loadedAtNanos() > FULL_RELOAD.toNanos()
                        ? reload(v) : Future.succeededFuture(current))
                .onComplete(ar -> {
                    polling = false;
                    if (ar.failed()) {
                        log.warn("API keys not refreshed (the last copy holds): {}", ar.cause().toString());
                    }
                });
    }

    private Future<Snapshot> reload() {
        return store.currentVersion().compose(this::reload);
    }

    /** Reads the rows after the version: they are at least as new as it, so no change is missed. */
    private Future<Snapshot> reload(long version) {
        return store.list().map(rows -> {
            Snapshot s = new Snapshot(version,
                    rows.stream().collect(Collectors.toUnmodifiableMap(ApiKeyStore.Row::keyId, Function.identity())),
                    rows.stream().anyMatch(ApiKeyStore.Row::active), System.nanoTime());
            snapshot = s;
            return s;
        });
    }

    @Override
    public Future<Principal> verify(String token) {
        return Future.succeededFuture(authenticate(token));
    }

    /** Who the token is, or null. Constant-time comparisons only. */
    public Principal authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        Snapshot s = snapshot;
        Optional<KeyToken> key = KeyToken.parse(token);
        if (key.isPresent()) {
            ApiKeyStore.Row row = s.byId().get(key.get().keyId());
            if (row == null || !row.active()) {
                return null;
            }
            boolean ok = MessageDigest.isEqual(HexFormat.of().parseHex(row.secretSha256()),
                    KeyToken.sha256(key.get().secret()));
            return ok ? new Principal(row.keyId(), row.name(), row.scopes(), row.webhook(), row.allow(), row.deny(),
                    row.defaultProfile()) : null;
        }
        if (bootstrapHash != null && !s.anyActive() && MessageDigest.isEqual(bootstrapHash, KeyToken.sha256(token))) {
            return Principal.BOOTSTRAP;
        }
        return null;
    }

    /** A new key, and the token that is its only copy (answered once). */
    public record Issued(ApiKeyStore.Row row, KeyToken token) {
    }

    public Future<Issued> create(String name, Set<Scope> scopes, String webhook) {
        return create(name, scopes, webhook, List.of(), List.of(), null);
    }

    public Future<Issued> create(String name, Set<Scope> scopes, String webhook, List<String> allow, List<String> deny,
                                 String defaultProfile) {
        KeyToken t = KeyToken.generate();
        return store.create(t, name, scopes, webhook, allow, deny, defaultProfile, clock.instant())
                .compose(row -> reload().map(new Issued(row, t)));
    }

    /** Replaces a key's own toll-fraud entries (a null list is kept); every instance uses them within a second. Empty: no such key. */
    public Future<Optional<ApiKeyStore.Row>> setGuards(String keyId, List<String> allow, List<String> deny) {
        return store.setGuards(keyId, allow, deny).compose(row -> reload().map(row));
    }

    public Future<List<ApiKeyStore.Row>> list() {
        return store.list();
    }

    /** A new secret under the same key id; the old one is refused from then on. Empty: no such active key. */
    public Future<Optional<Issued>> rotate(String keyId) {
        KeyToken t = new KeyToken(keyId, "").rotated();
        return store.rotate(t, clock.instant())
                .compose(row -> reload().map(row.map(r -> new Issued(r, t))));
    }

    public Future<Optional<ApiKeyStore.Row>> revoke(String keyId) {
        return store.revoke(keyId, clock.instant()).compose(row -> reload().map(row));
    }
}
