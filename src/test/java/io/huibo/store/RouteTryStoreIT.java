package io.huibo.store;

import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.store.RouteTryStore.RouteTry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.huibo.store.ItDatabase.await;
import static io.huibo.store.ItDatabase.newCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the real MariaDB at 127.0.0.1:3306, in a database of its own that is dropped at the end. */
class RouteTryStoreIT {


    static ItDatabase it;
    static Database db;
    static CallbackStore callbacks;
    static RouteTryStore tries;

    @BeforeAll
    static void open() {
        it = new ItDatabase(8);
        db = it.db;
        callbacks = new CallbackStore(db);
        tries = new RouteTryStore(db);
    }

    @AfterAll
    static void drop() throws Exception {
        if (tries != null) {
            tries.close();
        }
        if (callbacks != null) {
            callbacks.close();
        }
        if (it != null) {
            it.close();
        }
    }

    /** route_tries refers to its callback: every try needs one stored. */
    static String storedCallback() throws Exception {
        return await(callbacks.insert(newCallback(null))).id();
    }

    static RouteTry routeTry(String callbackId, Leg leg, int index, String status) {
        return new RouteTry(callbackId, 1, leg, index, "t" + index, "PJSIP/2001@t" + index, status,
                status.equals("ANSWER") ? null : 17, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void triesAreStoredAndReadBackInOrder() throws Exception {
        String id = storedCallback();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        RouteTry b1 = new RouteTry(id, 1, Leg.B, 1, null, null, "BUSY", null, at);
        RouteTry a2 = new RouteTry(id, 1, Leg.A, 2, "t2", "PJSIP/x@t2", "ANSWER", 16, at);
        RouteTry a1 = new RouteTry(id, 1, Leg.A, 1, "t1", "PJSIP/x@t1", "CONGESTION", 34, at);
        RouteTry second = new RouteTry(id, 2, Leg.A, 1, "t1", "PJSIP/x@t1", "NOANSWER", 19, at);
        for (RouteTry t : List.of(second, b1, a2, a1)) {
            await(tries.record(t));
        }
        assertThat(await(tries.tries(id))).containsExactly(a1, a2, b1, second);
        assertThat(await(tries.tries(CallbackIds.next()))).isEmpty();
    }

    @Test
    void concurrentRecordsAreGroupCommitted() throws Exception {
        int clients = 64;
        int perClient = 30;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ids.add(storedCallback());
        }
        long commitsBefore = tries.commitCount();
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (String id : ids) {
            // each client waits for its try before reporting the next, as one AGI session would
            Future<Void> chain = Future.succeededFuture();
            for (int j = 1; j <= perClient; j++) {
                RouteTry t = routeTry(id, j % 2 == 0 ? Leg.B : Leg.A, j, "CONGESTION");
                chain = chain.compose(v -> tries.record(t));
            }
            runs.add(chain.toCompletionStage().toCompletableFuture());
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long commits = tries.commitCount() - commitsBefore;
        int total = clients * perClient;
        System.out.printf("route tries: %d records in %d commits%n", total, commits);

        for (String id : ids) {
            assertThat(await(tries.tries(id))).hasSize(perClient);
        }
        assertThat(commits).isLessThan(total / 4);
    }

    @Test
    void theSameTryReportedTwiceKeepsTheLastReport() throws Exception {
        String id = storedCallback();
        long commitsBefore = tries.commitCount();
        List<Future<Void>> sent = new ArrayList<>();
        // back to back: the writer takes them together (the first may go alone); the last one wins
        // both inside one multi-row INSERT and across batches
        for (String status : List.of("BUSY", "NOANSWER", "CONGESTION", "CHANUNAVAIL", "BUSY", "NOANSWER",
                "CONGESTION", "CHANUNAVAIL", "BUSY", "ANSWER")) {
            sent.add(tries.record(routeTry(id, Leg.A, 1, status)));
        }
        for (Future<Void> f : sent) {
            await(f);
        }
        assertThat(tries.commitCount() - commitsBefore).isLessThan(sent.size());
        List<RouteTry> stored = await(tries.tries(id));
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).dialStatus()).isEqualTo("ANSWER");
        assertThat(stored.get(0).cause()).isNull();
    }

    @Test
    void aBadTryFailsOnlyItself() throws Exception {
        String id = storedCallback();
        // no such callback: the foreign key refuses the row, and with it the whole multi-row INSERT
        RouteTry bad = routeTry(CallbackIds.next(), Leg.A, 1, "BUSY");
        List<Future<Void>> good = new ArrayList<>();
        Future<Void> failed = null;
        for (int i = 1; i <= 20; i++) {
            if (i == 10) {
                failed = tries.record(bad);
            }
            good.add(tries.record(routeTry(id, Leg.A, i, "CONGESTION")));
        }
        for (Future<Void> f : good) {
            await(f);
        }
        Future<Void> badResult = failed;
        assertThatThrownBy(() -> await(badResult)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SQLException.class);
        assertThat(await(tries.tries(id))).hasSize(20);
        assertThat(await(tries.tries(bad.callbackId()))).isEmpty();
    }

    @Test
    void futuresCompleteOnTheCallersContext() throws Exception {
        String id = storedCallback();
        Vertx vertx = Vertx.vertx();
        try {
            Context ctx = vertx.getOrCreateContext();
            CompletableFuture<Context> seen = new CompletableFuture<>();
            ctx.runOnContext(v -> tries.record(routeTry(id, Leg.B, 1, "ANSWER"))
                    .onComplete(ar -> seen.complete(ar.succeeded() ? Vertx.currentContext() : null)));
            assertThat(seen.get(10, TimeUnit.SECONDS)).isSameAs(ctx);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClosedStoreRefusesRecords() throws Exception {
        String id = storedCallback();
        RouteTryStore closing = new RouteTryStore(db);
        Future<Void> before = closing.record(routeTry(id, Leg.A, 7, "BUSY"));
        closing.close();
        await(before);
        assertThatThrownBy(() -> await(closing.record(routeTry(id, Leg.A, 8, "BUSY"))))
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(await(tries.tries(id))).extracting(RouteTry::tryIndex).containsExactly(7);
    }
}
