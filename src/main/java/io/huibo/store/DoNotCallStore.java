package io.huibo.store;

import io.huibo.domain.PhoneNumber;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;

import static io.huibo.store.StoreSupport.getInstant;
import static io.huibo.store.StoreSupport.millis;
import static io.huibo.store.StoreSupport.setInstant;

/**
 * The do-not-call list (table do_not_call). No copy is kept: every check is one primary-key lookup, so a
 * number added on one instance blocks the next request and the next dial on all of them. JDBC runs on
 * this store's executor, never on an event loop.
 */
public final class DoNotCallStore implements AutoCloseable {

    /** The longest reason stored; longer ones are refused by the API, not cut. */
    public static final int REASON_MAX = 255;
    /** The most rows one list query returns. */
    public static final int MAX_LIMIT = 1000;
    /** Rows per statement of an import. */
    private static final int IMPORT_CHUNK = 500;

    /** @param addedBy the id of the API key that added it; null when unknown */
    public record Entry(PhoneNumber number, String reason, Instant addedAt, String addedBy) {
    }

    /** What an import did: numbers new to the list, and numbers already on it (their reason replaced). */
    public record ImportCounts(int added, int updated) {
    }

    private record Lookup(String number, CompletableFuture<Optional<Entry>> result) {
    }

    private static final int IN_CHUNK = 500;

    private final DataSource ds;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Lookup> lookups = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean lookupsScheduled = new AtomicBoolean();

    public DoNotCallStore(Database db) {
        this.ds = db.dataSource();
        // one thread reads the batched lookups, the other serves the operator's calls meanwhile
        this.executor = StoreSupport.executor("huibo-dnc", 2);
    }

    /**
     * The number's entry as stored now (read after this call); empty if it is not listed. Asked for
     * every request and every attempt, so lookups waiting at the same time share one query (as
     * {@link CallbackStore#find} does): one reader drains them, a round trip and a pool checkout serve
     * a whole batch.
     */
    public Future<Optional<Entry>> find(PhoneNumber number) {
        Context ctx = Vertx.currentContext();
        CompletableFuture<Optional<Entry>> result = new CompletableFuture<>();
        lookups.add(new Lookup(number.value(), result));
        if (lookupsScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::readLookups);
            } catch (RejectedExecutionException e) {
                lookupsScheduled.set(false);
                Lookup l;
                while ((l = lookups.poll()) != null) {
                    l.result().completeExceptionally(new IllegalStateException("store is closed"));
                }
            }
        }
        return StoreSupport.back(result, ctx);
    }

    private void readLookups() {
        List<Lookup> batch = new ArrayList<>();
        while (true) {
            Lookup l;
            while (batch.size() < IN_CHUNK && (l = lookups.poll()) != null) {
                batch.add(l);
            }
            if (batch.isEmpty()) {
                lookupsScheduled.set(false);
                // a lookup added after the poll and before the flag was cleared saw it set: take it
                if (lookups.isEmpty() || !lookupsScheduled.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                Map<String, Entry> found = read(batch.stream().map(Lookup::number).toList());
                batch.forEach(b -> b.result().complete(Optional.ofNullable(found.get(b.number()))));
            } catch (SQLException | RuntimeException e) {
                batch.forEach(b -> b.result().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    private Map<String, Entry> read(List<String> numbers) throws SQLException {
        Map<String, Entry> out = new HashMap<>();
        try (Connection c = ds.getConnection()) {
            for (List<String> chunk : CallbackStore.chunks(new LinkedHashSet<>(numbers))) {
                try (PreparedStatement ps = c.prepareStatement("SELECT number, reason, added_at, added_by "
                        + "FROM do_not_call WHERE number IN (" + CallbackStore.marks(chunk.size()) + ")")) {
                    CallbackStore.bindStrings(ps, chunk);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Entry e = read(rs);
                            out.put(e.number().value(), e);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The listed ones among {@code numbers}, by number (one query per 500). */
    public Future<Map<String, Entry>> findAll(Collection<PhoneNumber> numbers) {
        if (numbers.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        List<String> values = numbers.stream().map(PhoneNumber::value).toList();
        return blocking(() -> read(values));
    }

    /** Adds the number, or replaces its reason (keeping when and by whom it was first added); true if new. */
    public Future<Boolean> put(PhoneNumber number, String reason, String addedBy, Instant at) {
        return blocking(() -> {
            try (Connection c = ds.getConnection()) {
                return upsert(c, List.of(new Entry(number, reason, millis(at), addedBy))).added() == 1;
            }
        });
    }

    /** Adds or updates every entry, in one transaction: all or none. */
    public Future<ImportCounts> importAll(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Future.succeededFuture(new ImportCounts(0, 0));
        }
        return blocking(() -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    int added = 0;
                    int updated = 0;
                    for (int from = 0; from < entries.size(); from += IMPORT_CHUNK) {
                        ImportCounts n = upsert(c, entries.subList(from, Math.min(entries.size(), from + IMPORT_CHUNK)));
                        added += n.added();
                        updated += n.updated();
                    }
                    c.commit();
                    return new ImportCounts(added, updated);
                } catch (SQLException | RuntimeException e) {
                    GroupCommit.rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    /** Which of {@code entries} (distinct numbers) were on the list decides the counts; read in the same transaction. */
    private static ImportCounts upsert(Connection c, List<Entry> entries) throws SQLException {
        List<String> numbers = entries.stream().map(e -> e.number().value()).distinct().toList();
        int before = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM do_not_call WHERE number IN ("
                + CallbackStore.marks(numbers.size()) + ") FOR UPDATE")) {
            CallbackStore.bindStrings(ps, numbers);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                before = rs.getInt(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO do_not_call (number, reason, added_at, added_by) "
                + "VALUES " + StoreSupport.rows("(?,?,?,?)", entries.size())
                + " ON DUPLICATE KEY UPDATE reason = VALUES(reason)")) {
            int i = 1;
            for (Entry e : entries) {
                ps.setString(i++, e.number().value());
                ps.setString(i++, e.reason());
                setInstant(ps, i++, e.addedAt());
                ps.setString(i++, e.addedBy());
            }
            ps.executeUpdate();
        }
        return new ImportCounts(numbers.size() - before, before);
    }

    /** True if it was on the list. */
    public Future<Boolean> remove(PhoneNumber number) {
        return blocking(() -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("DELETE FROM do_not_call WHERE number = ?")) {
                ps.setString(1, number.value());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Entries ordered by number, after {@code afterNumber} (null: from the first), at most {@code limit}. */
    public Future<List<Entry>> list(String afterNumber, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            return Future.failedFuture(new IllegalArgumentException("limit must be 1.." + MAX_LIMIT));
        }
        return blocking(() -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT number, reason, added_at, added_by FROM do_not_call "
                         + "WHERE number > ? ORDER BY number LIMIT ?")) {
                ps.setString(1, afterNumber == null ? "" : afterNumber);
                ps.setInt(2, limit);
                List<Entry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    private static Entry read(ResultSet rs) throws SQLException {
        return new Entry(PhoneNumber.of(rs.getString("number")), rs.getString("reason"), getInstant(rs, "added_at"),
                rs.getString("added_by"));
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

    private <T> Future<T> blocking(StoreSupport.SqlWork<T> work) {
        return StoreSupport.blocking(executor, work);
    }
}
