package io.huibo.store;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.huibo.store.ItDatabase.await;
import static io.huibo.store.ItDatabase.newCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the real MariaDB at 127.0.0.1:3306, in a database of its own that is dropped at the end. */
class CallbackStoreIT {


    static ItDatabase it;
    static Database db;
    static CallbackStore store;

    @BeforeAll
    static void open() {
        it = new ItDatabase(8);
        db = it.db;
        store = new CallbackStore(db);
    }

    @AfterAll
    static void drop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (it != null) {
            it.close();
        }
    }

    @Test
    void migrationsCreateTheSchemaInAFreshDatabase() throws Exception {
        Set<String> tables = new HashSet<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                     + it.name + "'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).contains("callbacks", "attempts", "callback_events", "api_keys", "flyway_schema_history");
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version = '1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean("success")).isTrue();
        }
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT @@session.time_zone")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("+00:00");
        }
        // a second open of the same database migrates nothing and works
        try (Database again = it.open(2)) {
            assertThat(again.dataSource().getConnection().isValid(2)).isTrue();
        }
        assertThat(await(store.ping())).isTrue();
    }

    @Test
    void insertAndFindRoundTripEveryField() throws Exception {
        Instant due = Instant.now().plus(Duration.ofMinutes(5));
        Instant created = Instant.now();
        Callback full = new Callback(CallbackIds.next(), PhoneNumber.e164("+861012345678"), PhoneNumber.of("8001"),
                "\"Huibo\" <4930111>", 9, 5, Map.of("order", "A-17", "note", "回拨 \"quoted\"\nline"),
                "key-" + UUID.randomUUID(), CallState.QUEUED, 0, due, created, created);
        Callback bare = new Callback(CallbackIds.next(), PhoneNumber.of("0301234"), PhoneNumber.of("12"), null,
                0, 1, Map.of(), null, CallState.QUEUED, 0, due, created, created);

        Callback storedFull = await(store.insert(full));
        Callback storedBare = await(store.insert(bare));
        assertThat(storedFull.id()).isEqualTo(full.id());
        assertThat(storedFull.dueAt()).isEqualTo(due.truncatedTo(ChronoUnit.MILLIS));
        assertThat(storedFull.createdAt()).isEqualTo(created.truncatedTo(ChronoUnit.MILLIS));

        assertThat(await(store.find(full.id()))).contains(storedFull);
        assertThat(await(store.find(bare.id()))).contains(storedBare);
        Callback found = await(store.find(bare.id())).orElseThrow();
        assertThat(found.callerId()).isNull();
        assertThat(found.idempotencyKey()).isNull();
        assertThat(found.metadata()).isEmpty();
        assertThat(await(store.find(full.id())).orElseThrow().metadata()).isEqualTo(full.metadata());
        assertThat(await(store.find(CallbackIds.next()))).isEmpty();

        String unknown = CallbackIds.next();
        Map<String, Callback> all = await(store.findAll(List.of(full.id(), bare.id(), unknown, full.id())));
        assertThat(all).containsOnlyKeys(full.id(), bare.id());
        assertThat(all.get(full.id())).isEqualTo(storedFull);
        assertThat(await(store.findAll(List.of()))).isEmpty();

        // what sits in the table is UTC wall time
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DATE_FORMAT(due_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM callbacks WHERE id = '"
                     + full.id() + "'")) {
            rs.next();
            assertThat(Instant.parse(rs.getString(1))).isEqualTo(due.truncatedTo(ChronoUnit.MILLIS));
        }
    }

    @Test
    void concurrentInsertsAreGroupCommitted() throws Exception {
        int clients = 64;
        int perClient = 60;
        long batchesBefore = store.batchCount();
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        List<List<Callback>> perClientCallbacks = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            List<Callback> mine = new ArrayList<>();
            for (int j = 0; j < perClient; j++) {
                Callback cb = newCallback(j % 3 == 0 ? "gc-" + UUID.randomUUID() : null);
                mine.add(cb);
                ids.add(cb.id());
            }
            perClientCallbacks.add(mine);
        }
        long start = System.nanoTime();
        for (List<Callback> mine : perClientCallbacks) {
            // each client waits for its insert before sending the next, like an HTTP client would
            Future<Callback> chain = Future.succeededFuture();
            for (Callback cb : mine) {
                chain = chain.compose(prev -> store.insert(cb));
            }
            runs.add(chain.toCompletionStage().toCompletableFuture().thenAccept(x -> { }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long batches = store.batchCount() - batchesBefore;
        int total = clients * perClient;
        System.out.printf("group commit: %d inserts in %d commits, %.2f s, %.0f inserts/s%n",
                total, batches, seconds, total / seconds);

        Map<String, Callback> stored = await(store.findAll(ids));
        assertThat(stored).hasSize(total);
        assertThat(batches).isLessThan(total / 4);
    }

    @Test
    void aTakenIdempotencyKeyReturnsTheFirstCallback() throws Exception {
        String key = "idem-" + UUID.randomUUID();
        Callback first = await(store.insert(newCallback(key)));
        Callback second = newCallback(key);
        Callback answer = await(store.insert(second));
        assertThat(answer).isEqualTo(first);
        assertThat(await(store.find(second.id()))).isEmpty();
    }

    @Test
    void duplicateKeysWithinOneBatchAllGetTheFirstCallback() throws Exception {
        String key = "idem-batch-" + UUID.randomUUID();
        List<Callback> sent = new ArrayList<>();
        List<Future<Callback>> answers = new ArrayList<>();
        long batchesBefore = store.batchCount();
        // submitted back to back: the writer takes them together (the first may go alone)
        for (int i = 0; i < 20; i++) {
            Callback cb = newCallback(key);
            sent.add(cb);
            answers.add(store.insert(cb));
        }
        for (Future<Callback> a : answers) {
            assertThat(await(a).id()).isEqualTo(sent.get(0).id());
        }
        assertThat(store.batchCount() - batchesBefore).isLessThan(20);
        Map<String, Callback> stored = await(store.findAll(sent.stream().map(Callback::id).toList()));
        assertThat(stored).containsOnlyKeys(sent.get(0).id());
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Callback pair(Callback cb, String number, String key) {
        return new Callback(cb.id(), PhoneNumber.of(number), cb.destination(), null, cb.priority(), cb.maxAttempts(),
                cb.metadata(), key, cb.state(), 0, cb.dueAt(), cb.createdAt(), cb.updatedAt());
    }

    @Test
    void aSecondActiveCallbackOfAPairGetsTheFirstAndTheRestOfItsBatchIsStored() throws Exception {
        String number = "+49309" + (100000 + (int) (Math.random() * 800000));
        List<Callback> sent = new ArrayList<>();
        List<Future<Callback>> answers = new ArrayList<>();
        long batchesBefore = store.batchCount();
        // back to back: the writer takes them together; every other one is the same pair
        for (int i = 0; i < 20; i++) {
            Callback cb = i % 2 == 0 ? pair(newCallback(null), number, i == 4 ? "dedup-key-" + UUID.randomUUID() : null)
                    : newCallback(null);
            sent.add(cb);
            answers.add(store.insert(cb));
        }
        for (int i = 0; i < 20; i++) {
            String expected = i % 2 == 0 ? sent.get(0).id() : sent.get(i).id();
            assertThat(await(answers.get(i)).id()).as("answer %d", i).isEqualTo(expected);
        }
        assertThat(store.batchCount() - batchesBefore).isLessThan(20);
        Map<String, Callback> stored = await(store.findAll(sent.stream().map(Callback::id).toList()));
        assertThat(stored).hasSize(11).containsKey(sent.get(0).id()).doesNotContainKey(sent.get(2).id());
        // the duplicate's idempotency key was not taken with it
        assertThat(count("SELECT COUNT(*) FROM callbacks WHERE idempotency_key = '" + sent.get(4).idempotencyKey() + "'"))
                .isZero();

        // once the first has ended, the pair is free again
        assertThat(await(store.transition(sent.get(0).id(), CallState.QUEUED, CallState.CANCELLED, 0,
                sent.get(0).dueAt(), "test"))).isTrue();
        Callback again = pair(newCallback(null), number, null);
        assertThat(await(store.insert(again)).id()).isEqualTo(again.id());

        // a cancelled one made active again would be a second active one: the requeue is refused
        try (CallbackQueries queries = new CallbackQueries(db)) {
            CallbackQueries.Requeue r = await(queries.requeue(sent.get(0).id(), Set.of(CallState.CANCELLED), 1,
                    Instant.now(), Instant.now(), "test"));
            assertThat(r.status()).isEqualTo(CallbackQueries.RequeueStatus.DUPLICATE);
            assertThat(await(store.find(sent.get(0).id())).orElseThrow().state()).isEqualTo(CallState.CANCELLED);
        }
    }

    @Test
    void withDeduplicationOffEveryRequestIsStored() throws Exception {
        String number = "+49308" + (100000 + (int) (Math.random() * 800000));
        try (CallbackStore off = new CallbackStore(db, false)) {
            Callback a = pair(newCallback(null), number, null);
            Callback b = pair(newCallback(null), number, null);
            assertThat(await(off.insert(a)).id()).isEqualTo(a.id());
            assertThat(await(off.insert(b)).id()).isEqualTo(b.id());
        }
        // rows stored without deduplication take no part in it later either
        Callback c = pair(newCallback(null), number, null);
        assertThat(await(store.insert(c)).id()).isEqualTo(c.id());
        assertThat(count("SELECT COUNT(*) FROM callbacks WHERE number = '" + number + "'")).isEqualTo(3);
    }

    @Test
    void aBadRowDoesNotFailTheOthersOfItsBatch() throws Exception {
        Callback good1 = newCallback(null);
        Instant now = Instant.now();
        Callback bad = new Callback(CallbackIds.next(), PhoneNumber.of("1234"), PhoneNumber.of("5678"),
                "x".repeat(300), 0, 1, Map.of(), null, CallState.QUEUED, 0, now, now, now);
        Callback good2 = newCallback(null);
        Future<Callback> f1 = store.insert(good1);
        Future<Callback> fb = store.insert(bad);
        Future<Callback> f2 = store.insert(good2);
        assertThat(await(f1).id()).isEqualTo(good1.id());
        assertThat(await(f2).id()).isEqualTo(good2.id());
        assertThatThrownBy(() -> await(fb)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(java.sql.SQLException.class);
        assertThat(await(store.find(bad.id()))).isEmpty();
    }

    @Test
    void transitionsAreConditionalAndRecorded() throws Exception {
        Callback cb = await(store.insert(newCallback(null)));
        assertThat(await(store.transition(cb.id(), CallState.QUEUED, CallState.DIALING, 1, null, "dialing on sim1")))
                .isTrue();
        assertThat(await(store.transition(cb.id(), CallState.QUEUED, CallState.DIALING, 1, null, "again")))
                .as("no longer QUEUED").isFalse();
        Callback dialing = await(store.find(cb.id())).orElseThrow();
        assertThat(dialing.state()).isEqualTo(CallState.DIALING);
        assertThat(dialing.attempts()).isEqualTo(1);
        assertThat(dialing.dueAt()).isEqualTo(cb.dueAt());
        assertThat(dialing.updatedAt()).isAfterOrEqualTo(cb.updatedAt());

        Instant later = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        assertThat(await(store.transition(cb.id(), CallState.DIALING, CallState.QUEUED, 1, later, "busy"))).isTrue();
        assertThat(await(store.find(cb.id())).orElseThrow().dueAt()).isEqualTo(later);
        assertThat(await(store.transition(CallbackIds.next(), CallState.QUEUED, CallState.CANCELLED, 0, null, "x")))
                .as("unknown id").isFalse();
        assertThatThrownBy(() -> await(store.transition(cb.id(), CallState.QUEUED, CallState.COMPLETED, 1, null, "x")))
                .hasCauseInstanceOf(IllegalArgumentException.class);

        List<StateChange> history = await(store.history(cb.id()));
        assertThat(history).extracting(StateChange::from, StateChange::to, StateChange::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CallState.QUEUED, CallState.DIALING, "dialing on sim1"),
                        org.assertj.core.groups.Tuple.tuple(CallState.DIALING, CallState.QUEUED, "busy"));
        assertThat(history).allMatch(h -> h.callbackId().equals(cb.id()) && h.at() != null);
        assertThat(await(store.history(CallbackIds.next()))).isEmpty();
    }

    @Test
    void attemptsAreStartedAndEnded() throws Exception {
        Callback cb = await(store.insert(newCallback(null)));
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
        await(store.attemptStarted(one));
        await(store.attemptStarted(Attempt.started(cb.id(), 1, "other", t.plusSeconds(9))));
        assertThat(await(store.attempt(cb.id(), 1))).as("the second start changed nothing").contains(one);
        assertThat(await(store.attempt(cb.id(), 1)).orElseThrow().inProgress()).isTrue();

        Attempt oneEnded = one.answered(t.plusSeconds(2)).ended(t.plusSeconds(30), Outcome.CONNECTED, null, 16, "talked");
        await(store.attemptEnded(oneEnded));
        Attempt two = Attempt.started(cb.id(), 2, "sim2", t.plusSeconds(60));
        await(store.attemptStarted(two));
        Attempt twoEnded = two.ended(t.plusSeconds(65), Outcome.BUSY, Leg.A, 17, "DialStatus BUSY");
        await(store.attemptEnded(twoEnded));
        // an end without a recorded start is kept too
        Attempt three = Attempt.started(cb.id(), 3, "sim1", t.plusSeconds(90))
                .ended(t.plusSeconds(91), Outcome.FAILED, Leg.B, null, "no route");
        await(store.attemptEnded(three));

        assertThat(await(store.attempts(cb.id()))).containsExactly(oneEnded, twoEnded, three);
        assertThat(await(store.attempt(cb.id(), 4))).isEmpty();
        assertThat(await(store.attempts(CallbackIds.next()))).isEmpty();
    }

    @Test
    void anAttemptsEndAndItsCallbacksMoveAreOneStep() throws Exception {
        Callback cb = await(store.insert(newCallback(null)));
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
        assertThat(await(store.startAttempt(one, CallState.QUEUED, CallState.DIALING, null, "attempt 1"))).isTrue();
        Attempt ended = one.ended(t.plusSeconds(5), Outcome.BUSY, Leg.A, 17, "busy");
        Instant retryAt = t.plusSeconds(60);

        assertThat(await(store.endAttempt(ended, CallState.DIALING, CallState.QUEUED, retryAt, "attempt 1: busy")))
                .isTrue();
        assertThat(await(store.attempt(cb.id(), 1))).contains(ended);
        Callback after = await(store.find(cb.id())).orElseThrow();
        assertThat(after.state()).isEqualTo(CallState.QUEUED);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.dueAt()).isEqualTo(retryAt);
        assertThat(await(store.history(cb.id()))).extracting(StateChange::to)
                .containsExactly(CallState.DIALING, CallState.QUEUED);

        // a second end of the same attempt (another instance concluded it too) records no second move
        assertThat(await(store.endAttempt(ended, CallState.DIALING, CallState.FAILED, null, "again"))).isFalse();
        assertThat(await(store.find(cb.id())).orElseThrow().state()).isEqualTo(CallState.QUEUED);
    }

    @Test
    void anAttemptStartsOnceEvenFromAStaleRead() throws Exception {
        // a Redis failover lost a claim and its attempt mark: another instance claims the callback
        // again and starts the attempt it read as next before the first one's start committed; by then
        // attempt 1 has ended and the callback is QUEUED for a retry. Starting attempt 1 again would
        // dial it a second time (same attempt, same ChannelId)
        Callback cb = await(store.insert(newCallback(null)));
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
        assertThat(await(store.startAttempt(one, CallState.QUEUED, CallState.DIALING, null, "attempt 1"))).isTrue();
        Attempt busy = one.ended(t.plusSeconds(5), Outcome.BUSY, Leg.A, 17, "busy");
        assertThat(await(store.endAttempt(busy, CallState.DIALING, CallState.QUEUED, t.plusSeconds(60), "busy")))
                .isTrue();

        Attempt again = Attempt.started(cb.id(), 1, "sim2", t.plusSeconds(6));
        assertThat(await(store.startAttempt(again, CallState.QUEUED, CallState.DIALING, null, "attempt 1 again")))
                .as("attempt 1 started a second time").isFalse();
        Callback after = await(store.find(cb.id())).orElseThrow();
        assertThat(after.state()).isEqualTo(CallState.QUEUED);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(await(store.attempt(cb.id(), 1))).contains(busy);

        // the next attempt, read as it is now, starts
        Attempt two = Attempt.started(cb.id(), 2, "sim2", t.plusSeconds(61));
        assertThat(await(store.startAttempt(two, CallState.QUEUED, CallState.DIALING, null, "attempt 2"))).isTrue();
    }

    @Test
    void theFirstRecordedEndOfAnAttemptStays() throws Exception {
        // a late reconciliation (nobody saw the end, the memory was not asked) must not rewrite a
        // connected attempt as failed: the callback moved on with the first end
        Callback cb = await(store.insert(newCallback(null)));
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
        await(store.startAttempt(one, CallState.QUEUED, CallState.DIALING, null, "attempt 1"));
        Attempt connected = one.answered(t.plusSeconds(2)).ended(t.plusSeconds(30), Outcome.CONNECTED, null, 16,
                "connected");
        assertThat(await(store.endAttempt(connected, CallState.DIALING, CallState.COMPLETED, null, "attempt 1: connected")))
                .isTrue();

        Attempt unknown = one.ended(t.plusSeconds(40), Outcome.FAILED, Leg.A, null, "outcome unknown");
        assertThat(await(store.endAttempt(unknown, CallState.DIALING, CallState.QUEUED, null, "again"))).isFalse();
        await(store.attemptEnded(unknown));

        assertThat(await(store.attempt(cb.id(), 1))).contains(connected);
        assertThat(await(store.find(cb.id())).orElseThrow().state()).isEqualTo(CallState.COMPLETED);
    }

    @Test
    void anAttemptNeverSentIsTakenBackWithoutCountingIt() throws Exception {
        Callback cb = await(store.insert(newCallback(null)));
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
        await(store.startAttempt(one, CallState.QUEUED, CallState.DIALING, null, "attempt 1"));

        assertThat(await(store.attemptNotSent(one, "node at its Originate rate"))).isTrue();

        Callback after = await(store.find(cb.id())).orElseThrow();
        assertThat(after.state()).isEqualTo(CallState.QUEUED);
        assertThat(after.attempts()).as("the attempt does not count").isZero();
        assertThat(await(store.attempt(cb.id(), 1))).isEmpty();
        assertThat(await(store.history(cb.id()))).extracting(StateChange::detail).last().asString()
                .contains("attempt 1 not sent").contains("Originate rate");

        // not in DIALING for that attempt any more: nothing changes
        assertThat(await(store.attemptNotSent(one, "again"))).isFalse();
        Attempt ended = Attempt.started(cb.id(), 1, "sim1", t).ended(t.plusSeconds(3), Outcome.NO_ANSWER, Leg.A, 19, "x");
        await(store.startAttempt(Attempt.started(cb.id(), 1, "sim1", t), CallState.QUEUED, CallState.DIALING, null, "a1"));
        await(store.endAttempt(ended, CallState.DIALING, CallState.QUEUED, null, "attempt 1: no_answer"));
        assertThat(await(store.attemptNotSent(ended, "late"))).as("an ended attempt is never taken back").isFalse();
        assertThat(await(store.attempt(cb.id(), 1))).contains(ended);
    }

    @Test
    void stepsSentTogetherShareCommitsAndKeepTheirOwnResults() throws Exception {
        int callbacks = 200;
        List<Callback> cbs = new ArrayList<>();
        for (int i = 0; i < callbacks; i++) {
            cbs.add(newCallback(null));
        }
        for (Callback cb : cbs) {
            await(store.insert(cb));
        }
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant later = t.plusSeconds(600);
        long commitsBefore = store.stepCommitCount();
        Map<String, List<Future<Boolean>>> moves = new java.util.HashMap<>();
        List<Future<Void>> writes = new ArrayList<>();
        // back to back, without waiting: the step writer takes hundreds at once, so one group holds
        // the start and the end of one attempt, and several moves of one callback
        for (Callback cb : cbs) {
            Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
            List<Future<Boolean>> mine = new ArrayList<>();
            mine.add(store.startAttempt(one, CallState.QUEUED, CallState.DIALING, null, "dialing"));
            mine.add(store.transition(cb.id(), CallState.QUEUED, CallState.DIALING, 1, null, "lost the race"));
            writes.add(store.attemptEnded(one.answered(t.plusSeconds(2))
                    .ended(t.plusSeconds(30), Outcome.CONNECTED, null, 16, "talked")));
            // a start after the end changes nothing, also in the same group
            writes.add(store.attemptStarted(Attempt.started(cb.id(), 1, "other", t.plusSeconds(40))));
            // an end without a start is kept; the start that follows it changes nothing
            writes.add(store.attemptEnded(Attempt.started(cb.id(), 2, "sim2", t.plusSeconds(50))
                    .ended(t.plusSeconds(51), Outcome.BUSY, Leg.A, 17, "busy")));
            writes.add(store.attemptStarted(Attempt.started(cb.id(), 2, "other", t.plusSeconds(52))));
            mine.add(store.transition(cb.id(), CallState.DIALING, CallState.COMPLETED, 1, later, "completed"));
            mine.add(store.transition(cb.id(), CallState.DIALING, CallState.QUEUED, 1, null, "too late"));
            moves.put(cb.id(), mine);
        }
        for (Future<Void> w : writes) {
            await(w);
        }
        for (Callback cb : cbs) {
            List<Boolean> results = new ArrayList<>();
            for (Future<Boolean> m : moves.get(cb.id())) {
                results.add(await(m));
            }
            assertThat(results).as("moved, per step").containsExactly(true, false, true, false);
        }
        long commits = store.stepCommitCount() - commitsBefore;
        int steps = callbacks * 8;
        System.out.printf("steps: %d in %d commits%n", steps, commits);
        assertThat(commits).isLessThan(steps / 4);

        Map<String, Callback> stored = await(store.findAll(cbs.stream().map(Callback::id).toList()));
        for (Callback cb : cbs) {
            Callback now = stored.get(cb.id());
            assertThat(now.state()).isEqualTo(CallState.COMPLETED);
            assertThat(now.attempts()).isEqualTo(1);
            assertThat(now.dueAt()).isEqualTo(later);
            assertThat(await(store.history(cb.id()))).extracting(StateChange::from, StateChange::to, StateChange::detail)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(CallState.QUEUED, CallState.DIALING, "dialing"),
                            org.assertj.core.groups.Tuple.tuple(CallState.DIALING, CallState.COMPLETED, "completed"));
            Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
            assertThat(await(store.attempts(cb.id()))).containsExactly(
                    one.answered(t.plusSeconds(2)).ended(t.plusSeconds(30), Outcome.CONNECTED, null, 16, "talked"),
                    Attempt.started(cb.id(), 2, "sim2", t.plusSeconds(50))
                            .ended(t.plusSeconds(51), Outcome.BUSY, Leg.A, 17, "busy"));
        }
    }

    @Test
    void aBadStepDoesNotFailTheOthersOfItsGroup() throws Exception {
        List<Callback> cbs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            cbs.add(await(store.insert(newCallback(null))));
        }
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Callback victim = cbs.get(10);
        List<Future<Boolean>> good = new ArrayList<>();
        Future<Boolean> tooLong = null;
        Future<Void> unknown = null;
        for (Callback cb : cbs) {
            if (cb == victim) {
                // node_id is VARCHAR(64): the attempt is refused, and with it the move of the same step
                tooLong = store.startAttempt(Attempt.started(cb.id(), 1, "n".repeat(65), t), CallState.QUEUED,
                        CallState.DIALING, null, "dialing");
                // no such callback: the foreign key refuses it
                unknown = store.attemptEnded(Attempt.started(CallbackIds.next(), 1, "sim1", t)
                        .ended(t, Outcome.FAILED, Leg.A, null, "x"));
            } else {
                good.add(store.startAttempt(Attempt.started(cb.id(), 1, "sim1", t), CallState.QUEUED,
                        CallState.DIALING, null, "dialing"));
            }
        }
        for (Future<Boolean> g : good) {
            assertThat(await(g)).isTrue();
        }
        Future<Boolean> refused = tooLong;
        Future<Void> orphan = unknown;
        assertThatThrownBy(() -> await(refused)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(java.sql.SQLException.class);
        assertThatThrownBy(() -> await(orphan)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(java.sql.SQLException.class);
        assertThat(await(store.find(victim.id())).orElseThrow().state()).isEqualTo(CallState.QUEUED);
        assertThat(await(store.history(victim.id()))).isEmpty();
        assertThat(await(store.attempts(victim.id()))).isEmpty();
        for (Callback cb : cbs) {
            if (cb != victim) {
                assertThat(await(store.find(cb.id())).orElseThrow().state()).isEqualTo(CallState.DIALING);
                assertThat(await(store.attempts(cb.id()))).hasSize(1);
            }
        }
    }

    @Test
    void activePagesThroughQueuedAndDialingById() throws Exception {
        Set<String> active = new HashSet<>();
        Set<String> finished = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            Callback cb = await(store.insert(newCallback(null)));
            switch (i % 3) {
                case 0 -> active.add(cb.id());
                case 1 -> {
                    await(store.transition(cb.id(), CallState.QUEUED, CallState.DIALING, 1, null, "d"));
                    active.add(cb.id());
                }
                default -> {
                    await(store.transition(cb.id(), CallState.QUEUED, CallState.DIALING, 1, null, "d"));
                    await(store.transition(cb.id(), CallState.DIALING, CallState.COMPLETED, 1, null, "c"));
                    finished.add(cb.id());
                }
            }
        }
        List<Callback> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<Callback> page = await(store.active(7, after));
            assertThat(page.size()).isLessThanOrEqualTo(7);
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).id();
        }
        List<String> ids = all.stream().map(Callback::id).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(ids).containsAll(active).doesNotContainAnyElementsOf(finished);
        assertThat(all).allMatch(c -> c.state() == CallState.QUEUED || c.state() == CallState.DIALING);
    }

    @Test
    void apiKeysAreStoredHashedAndVerified() throws Exception {
        ApiKeyStore keyStore = new ApiKeyStore(db);
        io.huibo.auth.ApiKeys keys = new io.huibo.auth.ApiKeys(keyStore, null, java.time.Clock.systemUTC());
        Vertx vertx = Vertx.vertx();
        try {
            await(keys.start(vertx));
            var issued = await(keys.create("store-it", java.util.EnumSet.of(io.huibo.auth.Scope.CALLBACKS_READ), null));
            String token = issued.token().token();
            String expectedHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(issued.token().secret().getBytes(StandardCharsets.UTF_8)));
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT * FROM api_keys WHERE key_id = '" + issued.row().keyId() + "'")) {
                assertThat(rs.next()).isTrue();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(rs.getObject(i))).doesNotContain(issued.token().secret());
                }
                assertThat(rs.getString("secret_sha256")).isEqualTo(expectedHash);
            }
            assertThat(keys.authenticate(token).scopes()).containsExactly(io.huibo.auth.Scope.CALLBACKS_READ);
            assertThat(keys.authenticate(token.substring(0, token.length() - 1) + "x")).isNull();
            assertThat(keys.authenticate("")).isNull();
            assertThat(keys.authenticate(null)).isNull();

            // a rotation: the old secret is refused, the new one accepted, the key id kept
            var rotated = await(keys.rotate(issued.row().keyId())).orElseThrow();
            assertThat(rotated.token().keyId()).isEqualTo(issued.row().keyId());
            assertThat(keys.authenticate(token)).isNull();
            assertThat(keys.authenticate(rotated.token().token())).isNotNull();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            keyStore.close();
        }
    }

    @Test
    void futuresCompleteOnTheCallersContext() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Context ctx = vertx.getOrCreateContext();
            CompletableFuture<Context> seenFind = new CompletableFuture<>();
            CompletableFuture<Context> seenInsert = new CompletableFuture<>();
            ctx.runOnContext(v -> {
                store.find(CallbackIds.next()).onComplete(ar -> seenFind.complete(Vertx.currentContext()));
                store.insert(newCallback(null)).onComplete(ar -> seenInsert.complete(Vertx.currentContext()));
            });
            assertThat(seenFind.get(10, TimeUnit.SECONDS)).isSameAs(ctx);
            assertThat(seenInsert.get(10, TimeUnit.SECONDS)).isSameAs(ctx);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWrongPasswordGivesAOneLineMessage() {
        assertThatThrownBy(() -> Database.open(new HuiboConfig.Db(ItDatabase.SERVER + "/" + it.name, ItDatabase.USER, "wrong-password", 2)))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("MariaDB refused user huibo: Access denied");
    }

    @Test
    void aClosedPortFailsFastWithAOneLineMessage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "jdbc:mariadb://127.0.0.1:" + port + "/huibo";
        long start = System.nanoTime();
        assertThatThrownBy(() -> Database.open(new HuiboConfig.Db(url, ItDatabase.USER, ItDatabase.PASSWORD, 2)))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("MariaDB unreachable at " + url + ": Connection refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
