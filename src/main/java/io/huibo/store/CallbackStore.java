package io.huibo.store;

import io.huibo.domain.Attempt;
import io.huibo.domain.CallFlow;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.huibo.store.StoreSupport.getInstant;
import static io.huibo.store.StoreSupport.millis;
import static io.huibo.store.StoreSupport.setInstant;

/**
 * Callbacks, their attempts and their state history in MariaDB.
 *
 * <p>Inserts are group-committed ({@link GroupCommit}): callers queue them, a writer thread takes
 * everything waiting (up to {@link #MAX_BATCH}) and writes it as one multi-row INSERT and one commit,
 * so the cost of a commit (a log flush) is shared by every request that arrived meanwhile. The
 * dispatcher's steps (attempt started/ended, state transitions) are group-committed the same way by
 * a writer of their own, with a statement per kind of write rather than per step ({@link StepBatch});
 * each step keeps its own result, and its future completes only after the commit, so "MariaDB
 * first, Redis second" holds for each of them. Point reads by id waiting at the same time are
 * answered by one {@code SELECT ... WHERE id IN (...)}. Everything else runs on a small executor of
 * the store; no JDBC ever runs on a Vert.x event loop.
 */
public final class CallbackStore implements AutoCloseable {

    static final int MAX_BATCH = 500;
    private static final int IN_CHUNK = 500;

    /** A callback's columns, in {@link #bindRow}'s order. */
    static final String COLUMNS = "id, number, destination, caller_id, priority, max_attempts, metadata, "
            + "idempotency_key, state, attempts, due_at, created_at, updated_at, flow, confirm, profile, not_after, "
            + "time_zone";
    /** An inserted row: {@link #COLUMNS} and whether it takes part in deduplication. */
    private static final String INSERT_ROW = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    private static final String ATTEMPT_COLUMNS = StepBatch.ATTEMPT_COLUMNS;

    /** Identity, not value, equality: a record's hashCode would hash the whole callback per lookup. */
    private record PendingInsert(Callback callback, String webhook, CompletableFuture<Callback> result) {
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }

    }

    private record PendingFind(String id, CompletableFuture<Optional<Callback>> result) {
    }

    /**
     * Two insert writers: while one waits for its commit to reach the disk, the other gathers and
     * sends the next batch, so the log flush is not a gap in which nothing is written.
     */
    private static final int INSERT_WRITERS = 2;

    private final DataSource ds;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<PendingFind> finds = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean findsScheduled = new AtomicBoolean();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong inserted = new AtomicLong();
    private final GroupCommit<PendingInsert> inserts;
    /** One step writer: steps are written in the order they were asked for. */
    private final GroupCommit<StepBatch.Step> steps;
    private final AtomicLong stepCommits = new AtomicLong();
    private volatile boolean closed;
    /** Whether new rows take part in deduplication (contacts.dedup); see {@link #insert(Callback)}. */
    private final boolean dedup;

    /** With deduplication on. */
    public CallbackStore(Database db) {
        this(db, true);
    }

    /**
     * @param dedup whether a new callback whose number and destination an active (queued or dialing)
     *              callback has is answered with that one instead of being stored
     */
    public CallbackStore(Database db, boolean dedup) {
        this.dedup = dedup;
        this.ds = db.dataSource();
        // One pool connection stays free for each writer.
        this.executor = StoreSupport.executor("huibo-store", Math.max(1, db.poolSize() - INSERT_WRITERS - 1));
        this.inserts = new GroupCommit<>("huibo-store-writer", ds, INSERT_WRITERS, MAX_BATCH, this::writeInserts,
                PendingInsert::result);
        this.steps = new GroupCommit<>("huibo-store-steps", ds, 1, MAX_BATCH, this::writeSteps,
                StepBatch.Step::result);
    }

    // ---- inserts (group commit)

    /**
     * Stores a new callback. If its idempotency key is already taken (in the database, or by an earlier
     * insert of the same batch), completes with the existing callback instead. With deduplication on,
     * so it does when a queued or dialing callback has the same number and destination (MariaDB's unique
     * index on active_pair decides, so it holds for every instance): the caller tells the two apart by
     * the idempotency key of what it gets. Times are returned cut to milliseconds, as stored.
     */
    public Future<Callback> insert(Callback cb) {
        return insert(cb, null);
    }

    /** As {@link #insert(Callback)}, naming the callback's webhook URL (null: none) in the same transaction. */
    public Future<Callback> insert(Callback cb, String webhook) {
        Context ctx = Vertx.currentContext();
        CompletableFuture<Callback> result = new CompletableFuture<>();
        inserts.submit(new PendingInsert(normalize(cb), webhook, result));
        return StoreSupport.back(result, ctx);
    }

    /** How many group commits the writer made (each is one INSERT statement and one commit). */
    public long batchCount() {
        return batches.get();
    }

    /** How many callbacks went through the writer successfully (including idempotent hits). */
    public long insertCount() {
        return inserted.get();
    }

    private Runnable writeInserts(Connection c, List<PendingInsert> batch) throws SQLException {
        Map<PendingInsert, Callback> results = insertRows(c, batch);
        return () -> {
            batches.incrementAndGet();
            inserted.addAndGet(batch.size());
            for (PendingInsert p : batch) {
                p.result().complete(results.get(p));
            }
        };
    }

    /**
     * One INSERT for the batch; rows whose idempotency key exists, or (dedup) whose number and destination
     * an active callback has, are skipped, then their owners looked up.
     */
    private Map<PendingInsert, Callback> insertRows(Connection c, List<PendingInsert> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertSql(batch.size()))) {
            int i = 1;
            for (PendingInsert p : batch) {
                i = bindInsert(ps, i, p.callback(), dedup);
            }
            ps.executeUpdate();
        }
        Map<PendingInsert, Callback> results = new HashMap<>();
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        for (PendingInsert p : batch) {
            results.put(p, p.callback());
            if (p.callback().idempotencyKey() != null) {
                keys.add(p.callback().idempotencyKey());
            }
        }
        // rows not known yet to be stored or to repeat another: a duplicate pair may have skipped them
        List<PendingInsert> unsettled = new ArrayList<>();
        if (!keys.isEmpty()) {
            // Whoever holds a key now (in this transaction) is the callback for that key: either the row
            // just written, or an earlier one, which the duplicate gets instead of an error.
            Map<String, Callback> owners = new HashMap<>();
            for (List<String> chunk : chunks(keys)) {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                        + " FROM callbacks WHERE idempotency_key IN (" + marks(chunk.size()) + ")")) {
                    bindStrings(ps, chunk);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Callback existing = readCallback(rs);
                            owners.put(existing.idempotencyKey(), existing);
                        }
                    }
                }
            }
            for (PendingInsert p : batch) {
                String key = p.callback().idempotencyKey();
                if (key == null) {
                    unsettled.add(p);
                    continue;
                }
                Callback owner = owners.get(key);
                if (owner == null) {
                    if (!dedup) {
                        throw new SQLException("idempotency key vanished during insert: " + key);
                    }
                    unsettled.add(p);
                } else if (!owner.id().equals(p.callback().id())) {
                    results.put(p, owner);
                }
            }
        } else {
            unsettled.addAll(batch);
        }
        if (dedup && !unsettled.isEmpty()) {
            Map<String, Callback> active = activeByPair(c, unsettled.stream().map(p -> pair(p.callback())).toList());
            for (PendingInsert p : unsettled) {
                Callback owner = active.get(pair(p.callback()));
                if (owner == null) {
                    throw new SQLException("callback vanished during insert: " + p.callback().id());
                }
                if (!owner.id().equals(p.callback().id())) {
                    results.put(p, owner);
                }
            }
        }
        // the creation is the first event of a callback's life (live events, webhooks)
        List<Callback> created = new ArrayList<>();
        Map<String, String> webhooks = new LinkedHashMap<>();
        for (PendingInsert p : batch) {
            if (results.get(p) == p.callback()) {
                created.add(p.callback());
                if (p.webhook() != null) {
                    webhooks.put(p.callback().id(), p.webhook());
                }
            }
        }
        WebhookOutbox.insertTargets(c, webhooks);
        EventRows.created(c, created);
        return results;
    }

    /** The value of active_pair (V9) while {@code cb} is queued or dialing. */
    static String pair(Callback cb) {
        return cb.number().value() + "|" + (cb.destination() == null ? "" : cb.destination().value());
    }

    /** The active callbacks holding these pairs (read in {@code c}'s transaction), by pair. */
    static Map<String, Callback> activeByPair(Connection c, List<String> pairs) throws SQLException {
        Map<String, Callback> owners = new HashMap<>();
        for (List<String> chunk : chunks(new LinkedHashSet<>(pairs))) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", active_pair"
                    + " FROM callbacks WHERE active_pair IN (" + marks(chunk.size()) + ")")) {
                bindStrings(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        owners.put(rs.getString("active_pair"), readCallback(rs));
                    }
                }
            }
        }
        return owners;
    }

    /** Binds one row of {@link #COLUMNS} from {@code i} on; the next free index. */
    /**
     * An INSERT of {@code rows} callbacks that skips a row whose idempotency key or (dedup) active pair is
     * taken instead of failing the statement. Not INSERT IGNORE: that would also turn real errors (too
     * long, bad value) into silent warnings.
     */
    static String insertSql(int rows) {
        return "INSERT INTO callbacks (" + COLUMNS + ", dedup) VALUES " + StoreSupport.rows(INSERT_ROW, rows)
                + " ON DUPLICATE KEY UPDATE id = id";
    }

    /** Binds one row of {@link #insertSql}: the callback and whether it takes part in deduplication. */
    static int bindInsert(PreparedStatement ps, int i, Callback cb, boolean dedup) throws SQLException {
        i = bindRow(ps, i, cb);
        ps.setBoolean(i++, dedup);
        return i;
    }

    static int bindRow(PreparedStatement ps, int i, Callback cb) throws SQLException {
        ps.setString(i++, cb.id());
        ps.setString(i++, cb.number().value());
        ps.setString(i++, cb.destination() == null ? null : cb.destination().value());
        ps.setString(i++, cb.callerId());
        ps.setInt(i++, cb.priority());
        ps.setInt(i++, cb.maxAttempts());
        ps.setString(i++, encodeMetadata(cb.metadata()));
        ps.setString(i++, cb.idempotencyKey());
        ps.setString(i++, cb.state().wire());
        ps.setInt(i++, cb.attempts());
        setInstant(ps, i++, cb.dueAt());
        setInstant(ps, i++, cb.createdAt());
        setInstant(ps, i++, cb.updatedAt());
        ps.setString(i++, cb.flow().wire());
        ps.setBoolean(i++, cb.confirm());
        ps.setString(i++, cb.calling().profile());
        setInstant(ps, i++, cb.calling().notAfter());
        ps.setString(i++, cb.calling().timeZone());
        return i;
    }

    private static Callback normalize(Callback cb) {
        Instant created = millis(cb.createdAt() != null ? cb.createdAt() : Instant.now());
        Instant updated = cb.updatedAt() != null ? millis(cb.updatedAt()) : created;
        return cb.withTimes(millis(cb.dueAt()), created, updated);
    }

    // ---- reads

    /**
     * The callback as stored now (read after this call). Lookups waiting at the same time share one
     * query: one reader drains them, so under load (a FastAGI request per leg) a round trip and a
     * pool checkout serve a whole batch instead of one id.
     */
    public Future<Optional<Callback>> find(String id) {
        Context ctx = Vertx.currentContext();
        CompletableFuture<Optional<Callback>> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IllegalStateException("store is closed"));
            return StoreSupport.back(result, ctx);
        }
        finds.add(new PendingFind(id, result));
        if (findsScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::readFinds);
            } catch (RejectedExecutionException e) {
                findsScheduled.set(false);
                PendingFind p;
                while ((p = finds.poll()) != null) {
                    p.result().completeExceptionally(new IllegalStateException("store is closed"));
                }
            }
        }
        return StoreSupport.back(result, ctx);
    }

    private void readFinds() {
        List<PendingFind> batch = new ArrayList<>();
        while (true) {
            PendingFind p;
            while (batch.size() < IN_CHUNK && (p = finds.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                findsScheduled.set(false);
                // a find added after the poll and before the flag was cleared saw it set: take it
                if (finds.isEmpty() || !findsScheduled.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            Map<String, Callback> found = new HashMap<>();
            try (Connection c = ds.getConnection()) {
                LinkedHashSet<String> ids = new LinkedHashSet<>();
                batch.forEach(f -> ids.add(f.id()));
                try (PreparedStatement ps = c.prepareStatement(ids.size() == 1
                        ? "SELECT " + COLUMNS + " FROM callbacks WHERE id = ?"
                        : "SELECT " + COLUMNS + " FROM callbacks WHERE id IN (" + marks(ids.size()) + ")")) {
                    bindStrings(ps, List.copyOf(ids));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Callback cb = readCallback(rs);
                            found.put(cb.id(), cb);
                        }
                    }
                }
                batch.forEach(f -> f.result().complete(Optional.ofNullable(found.get(f.id()))));
            } catch (SQLException | RuntimeException e) {
                batch.forEach(f -> f.result().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    /** The callbacks found among {@code ids}, by id (missing ids are absent from the map). */
    public Future<Map<String, Callback>> findAll(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
        return blocking(() -> {
            Map<String, Callback> found = new LinkedHashMap<>();
            try (Connection c = ds.getConnection()) {
                for (List<String> chunk : chunks(distinct)) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                            + " FROM callbacks WHERE id IN (" + marks(chunk.size()) + ")")) {
                        bindStrings(ps, chunk);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                Callback cb = readCallback(rs);
                                found.put(cb.id(), cb);
                            }
                        }
                    }
                }
            }
            return found;
        });
    }

    /** QUEUED or DIALING callbacks with an id above {@code afterId} (null: from the start), by id. */
    public Future<List<Callback>> active(int limit, String afterId) {
        String after = afterId == null ? "" : afterId;
        // One index range per state (state, id), merged: no scan over the finished callbacks.
        String one = "(SELECT " + COLUMNS + " FROM callbacks WHERE state = ? AND id > ? ORDER BY id LIMIT ?)";
        String sql = one + " UNION ALL " + one + " ORDER BY id LIMIT ?";
        return blocking(() -> {
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, CallState.QUEUED.wire());
                ps.setString(2, after);
                ps.setInt(3, limit);
                ps.setString(4, CallState.DIALING.wire());
                ps.setString(5, after);
                ps.setInt(6, limit);
                ps.setInt(7, limit);
                List<Callback> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(readCallback(rs));
                    }
                }
                return out;
            }
        });
    }

    // ---- state

    /**
     * Moves a callback from {@code from} to {@code to} only if it is still in {@code from}, and records
     * the change in its history, in one transaction. {@code dueAt} null keeps the current due time.
     * Fails (IllegalArgumentException) for a move the state machine does not allow.
     */
    public Future<Boolean> transition(String id, CallState from, CallState to, int attempts, Instant dueAt,
                                      String detail) {
        if (!from.canMoveTo(to)) {
            return Future.failedFuture(new IllegalArgumentException("not a valid transition: " + from + " -> " + to));
        }
        return step(StepBatch.Step.move(new StepBatch.Move(id, from, to, attempts, dueAt, detail)));
    }

    /**
     * Records the start of attempt {@code a} and moves its callback from {@code from} to {@code to} in
     * one transaction (the dispatcher's step before an Originate); completes with whether it moved.
     */
    public Future<Boolean> startAttempt(Attempt a, CallState from, CallState to, Instant dueAt, String detail) {
        if (!from.canMoveTo(to)) {
            return Future.failedFuture(new IllegalArgumentException("not a valid transition: " + from + " -> " + to));
        }
        return step(StepBatch.Step.startedAndMove(a,
                new StepBatch.Move(a.callbackId(), from, to, a.number(), dueAt, detail)));
    }

    /**
     * Records how attempt {@code a} ended and moves its callback from {@code from} to {@code to} in one
     * transaction (the dispatcher's step after an attempt); completes with whether it moved. The end is
     * written even when the callback has moved on already (the attempt row is this attempt's own).
     */
    public Future<Boolean> endAttempt(Attempt a, CallState from, CallState to, Instant dueAt, String detail) {
        if (!from.canMoveTo(to)) {
            return Future.failedFuture(new IllegalArgumentException("not a valid transition: " + from + " -> " + to));
        }
        return step(StepBatch.Step.endedAndMove(a,
                new StepBatch.Move(a.callbackId(), from, to, a.number(), dueAt, detail)));
    }

    /**
     * Takes back the start of attempt {@code a} whose Originate was never sent (nothing reached the
     * node): its row goes, and the callback moves from DIALING back to QUEUED with the attempt not
     * counted, in one transaction. Completes with whether the callback moved (false: it was not in
     * DIALING for this attempt any more, and nothing changed).
     */
    public Future<Boolean> attemptNotSent(Attempt a, String reason) {
        return blocking(() -> {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    boolean moved;
                    try (PreparedStatement ps = c.prepareStatement("UPDATE callbacks SET state = ?, attempts = ?, "
                            + "updated_at = ? WHERE id = ? AND state = ? AND attempts = ?")) {
                        ps.setString(1, CallState.QUEUED.wire());
                        ps.setInt(2, a.number() - 1);
                        setInstant(ps, 3, millis(Instant.now()));
                        ps.setString(4, a.callbackId());
                        ps.setString(5, CallState.DIALING.wire());
                        ps.setInt(6, a.number());
                        moved = ps.executeUpdate() == 1;
                    }
                    if (moved) {
                        try (PreparedStatement ps = c.prepareStatement(
                                "DELETE FROM attempts WHERE callback_id = ? AND number = ? AND outcome IS NULL")) {
                            ps.setString(1, a.callbackId());
                            ps.setInt(2, a.number());
                            ps.executeUpdate();
                        }
                        try (PreparedStatement ps = c.prepareStatement("INSERT INTO callback_events "
                                + "(callback_id, at, from_state, to_state, detail) VALUES (?,?,?,?,?)")) {
                            ps.setString(1, a.callbackId());
                            setInstant(ps, 2, millis(Instant.now()));
                            ps.setString(3, CallState.DIALING.wire());
                            ps.setString(4, CallState.QUEUED.wire());
                            ps.setString(5, StoreSupport.clip("attempt " + a.number() + " not sent, not counted: "
                                    + reason, StepBatch.DETAIL_MAX));
                            ps.executeUpdate();
                        }
                    }
                    c.commit();
                    return moved;
                } catch (SQLException | RuntimeException e) {
                    GroupCommit.rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    public Future<List<StateChange>> history(String callbackId) {
        return blocking(() -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT callback_id, at, from_state, to_state, detail "
                         + "FROM callback_events WHERE callback_id = ? AND kind = 'state' AND from_state IS NOT NULL ORDER BY id")) {
                ps.setString(1, callbackId);
                List<StateChange> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StateChange(rs.getString("callback_id"), getInstant(rs, "at"),
                                CallState.fromWire(rs.getString("from_state")),
                                CallState.fromWire(rs.getString("to_state")), rs.getString("detail")));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Sets the destination of a callback that has none (a dial-in caller keyed it in once called back)
     * and answers with the destination the callback has afterwards: the given one, or the one another
     * request stored first. A stored destination is never overwritten. Empty for an unknown callback.
     */
    public Future<Optional<PhoneNumber>> setDestination(String id, PhoneNumber destination) {
        return blocking(() -> {
            try (Connection c = ds.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE callbacks SET destination = ? WHERE id = ? AND destination IS NULL")) {
                    ps.setString(1, destination.value());
                    ps.setString(2, id);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT destination FROM callbacks WHERE id = ?")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next() || rs.getString(1) == null) {
                            return Optional.<PhoneNumber>empty();
                        }
                        return Optional.of(PhoneNumber.of(rs.getString(1)));
                    }
                }
            }
        });
    }

    // ---- attempts

    public Future<List<Attempt>> attempts(String callbackId) {
        return blocking(() -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT " + ATTEMPT_COLUMNS
                         + " FROM attempts WHERE callback_id = ? ORDER BY number")) {
                ps.setString(1, callbackId);
                List<Attempt> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(readAttempt(rs));
                    }
                }
                return out;
            }
        });
    }

    public Future<Optional<Attempt>> attempt(String callbackId, int number) {
        return blocking(() -> {
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT " + ATTEMPT_COLUMNS
                         + " FROM attempts WHERE callback_id = ? AND number = ?")) {
                ps.setString(1, callbackId);
                ps.setInt(2, number);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(readAttempt(rs)) : Optional.<Attempt>empty();
                }
            }
        });
    }

    /** Records the start of an attempt; a second call for the same (callback, number) changes nothing. */
    public Future<Void> attemptStarted(Attempt a) {
        return step(StepBatch.Step.started(a)).mapEmpty();
    }

    /**
     * Records how an attempt ended. An upsert, so the end is kept even if the start was never written
     * (e.g. the instance that dialed died before); a known answer time is not erased by a null.
     */
    public Future<Void> attemptEnded(Attempt a) {
        return step(StepBatch.Step.ended(a)).mapEmpty();
    }

    public Future<Boolean> ping() {
        return ping(executor);
    }

    /**
     * The same check on the caller's executor: a health probe must neither wait behind the store's
     * work (claims, reads) nor take one of its threads.
     */
    public Future<Boolean> ping(ExecutorService on) {
        return StoreSupport.blocking(on, () -> {
            try (Connection c = ds.getConnection()) {
                return c.isValid(2);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        inserts.close();
        steps.close();
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- steps (group commit)

    /** How many group commits of steps succeeded (a step retried alone after a failed group counts once). */
    long stepCommitCount() {
        return stepCommits.get();
    }

    private Future<Boolean> step(StepBatch.Step step) {
        Context ctx = Vertx.currentContext();
        steps.submit(step);
        return StoreSupport.back(step.result(), ctx);
    }

    private Runnable writeSteps(Connection c, List<StepBatch.Step> batch) throws SQLException {
        Runnable complete = StepBatch.write(c, batch);
        return () -> {
            stepCommits.incrementAndGet();
            complete.run();
        };
    }

    // ---- mapping

    private <T> Future<T> blocking(StoreSupport.SqlWork<T> work) {
        return StoreSupport.blocking(executor, work);
    }

    static Callback readCallback(ResultSet rs) throws SQLException {
        return new Callback(
                rs.getString("id"),
                PhoneNumber.of(rs.getString("number")),
                rs.getString("destination") == null ? null : PhoneNumber.of(rs.getString("destination")),
                rs.getString("caller_id"),
                rs.getInt("priority"),
                rs.getInt("max_attempts"),
                decodeMetadata(rs.getString("metadata")),
                rs.getString("idempotency_key"),
                CallState.fromWire(rs.getString("state")),
                rs.getInt("attempts"),
                getInstant(rs, "due_at"),
                getInstant(rs, "created_at"),
                getInstant(rs, "updated_at"),
                CallFlow.fromWire(rs.getString("flow")),
                rs.getBoolean("confirm"),
                new Callback.Calling(rs.getString("profile"), getInstant(rs, "not_after"), rs.getString("time_zone")));
    }

    private static Attempt readAttempt(ResultSet rs) throws SQLException {
        String outcome = rs.getString("outcome");
        String leg = rs.getString("failed_leg");
        int cause = rs.getInt("hangup_cause");
        Integer hangupCause = rs.wasNull() ? null : cause;
        return new Attempt(
                rs.getString("callback_id"),
                rs.getInt("number"),
                rs.getString("node_id"),
                rs.getString("channel_id"),
                getInstant(rs, "started_at"),
                getInstant(rs, "answered_at"),
                getInstant(rs, "ended_at"),
                outcome == null ? null : Outcome.fromWire(outcome),
                leg == null ? null : Leg.fromWire(leg),
                hangupCause,
                rs.getString("detail"));
    }

    static String encodeMetadata(Map<String, String> metadata) {
        return new JsonObject(new LinkedHashMap<String, Object>(metadata)).encode();
    }

    static Map<String, String> decodeMetadata(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        JsonObject o = new JsonObject(json);
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : o.fieldNames()) {
            Object v = o.getValue(k);
            if (v != null) {
                out.put(k, v.toString());
            }
        }
        return out;
    }

    static List<List<String>> chunks(Collection<String> values) {
        List<String> all = List.copyOf(values);
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IN_CHUNK) {
            out.add(all.subList(i, Math.min(all.size(), i + IN_CHUNK)));
        }
        return out;
    }

    static String marks(int n) {
        return "?,".repeat(n - 1) + "?";
    }

    static void bindStrings(PreparedStatement ps, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
    }
}
