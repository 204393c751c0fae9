package io.huibo.store;

import static io.huibo.store.ItDatabase.await;
import static io.huibo.store.ItDatabase.newCallback;
import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The event log and the webhook outbox on the real MariaDB: creation and attempt results as events, an
 * open transaction's id waited for, the outbox filled once, and leases that let another instance send
 * what a dead one claimed while the dead one's late answer changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventLogIT {
    private ItDatabase it;
    private CallbackStore store;
    private EventLog log;
    private WebhookOutbox outbox;

    @BeforeAll
    void up() {
        it = new ItDatabase(6);
        store = new CallbackStore(it.db);
        log = new EventLog(it.db);
        outbox = new WebhookOutbox(it.db);
    }

    @AfterAll
    void down() throws Exception {
        outbox.close();
        log.close();
        store.close();
        it.close();
    }

    private List<StoredEvent> eventsOf(String id) throws Exception {
        return await(log.range(0, Long.MAX_VALUE, id, null, 100));
    }

    @Test
    void creationAndEachAttemptResultAreEventsOnceEach() throws Exception {
        Callback cb = await(store.insert(newCallback(null)));
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Attempt one = Attempt.started(cb.id(), 1, "sim1", t);
        await(store.startAttempt(one, CallState.QUEUED, CallState.DIALING, null, "attempt 1"));
        Attempt ended = one.ended(t.plusSeconds(5), Outcome.BUSY, Leg.A, 17, "busy");
        await(store.endAttempt(ended, CallState.DIALING, CallState.QUEUED, t.plusSeconds(60), "attempt 1: busy"));
        // a second end (another instance concluded it too) is no second result
        await(store.attemptEnded(one.ended(t.plusSeconds(6), Outcome.FAILED, Leg.B, 21, "late")));

        List<StoredEvent> events = eventsOf(cb.id());
        assertThat(events).extracting(StoredEvent::kind, StoredEvent::from, StoredEvent::to).containsExactly(
                org.assertj.core.groups.Tuple.tuple("state", null, CallState.QUEUED),
                org.assertj.core.groups.Tuple.tuple("state", CallState.QUEUED, CallState.DIALING),
                org.assertj.core.groups.Tuple.tuple("attempt", null, null),
                org.assertj.core.groups.Tuple.tuple("state", CallState.DIALING, CallState.QUEUED));
        StoredEvent result = events.get(2);
        assertThat(result.attempt()).isEqualTo(1);
        assertThat(result.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(result.failedLeg()).isEqualTo(Leg.A);
        assertThat(result.hangupCause()).isEqualTo(17);
        assertThat(result.node()).isEqualTo("sim1");
        assertThat(result.number()).isEqualTo(cb.number().value());
        // the stored history still lists the moves only
        assertThat(await(store.history(cb.id()))).extracting(StateChange::to)
                .containsExactly(CallState.DIALING, CallState.QUEUED);
    }

    @Test
    void aGapHeldByAnOpenTransactionIsWaitedForThenDelivered() throws Exception {
        Callback cb = await(store.insert(newCallback(null)));
        long before = await(log.lastId());
        try (Connection open = it.db.dataSource().getConnection()) {
            open.setAutoCommit(false);
            try (PreparedStatement ps = open.prepareStatement("INSERT INTO callback_events "
                    + "(callback_id, at, from_state, to_state, detail) VALUES (?, NOW(3), 'queued', 'cancelled', 'slow')")) {
                ps.setString(1, cb.id());
                ps.executeUpdate();
            }
            await(store.transition(newCommitted().id(), CallState.QUEUED, CallState.CANCELLED, 0, null, "fast"));
            long[] visible = ids(await(log.after(before, 100)));
            assertThat(visible).as("the open transaction's id is not visible yet").hasSize(2);
            EventTail tail = new EventTail(before, Duration.ZERO);
            EventTail.Advance a = tail.advance(visible, Instant.now(), 0);
            assertThat(a.count()).isZero();
            assertThat(a.settleBelow()).isEqualTo(visible[0]);
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(500);
                    open.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            long[] late = await(log.settle(before, visible[0]));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(300);
            assertThat(late).containsExactly(before + 1);
        }
    }

    private Callback newCommitted() throws Exception {
        return await(store.insert(newCallback(null)));
    }

    private static long[] ids(List<StoredEvent> events) {
        return events.stream().mapToLong(StoredEvent::id).toArray();
    }

    private int deliveriesOf(String id) throws Exception {
        return await(outbox.deliveries(id)).size();
    }

    @Test
    void theOutboxGetsEachEventOfAWebhookCallbackOnceAndLeasesHandItOver() throws Exception {
        Callback with = await(store.insert(newCallback(null), "https://hooks.example.com/a"));
        Callback without = newCommitted();
        await(store.transition(with.id(), CallState.QUEUED, CallState.CANCELLED, 0, null, "by test"));
        // two instances feeding at the same time: each event is written once
        EventTail a = new EventTail(-1, Duration.ofSeconds(2));
        EventTail b = new EventTail(-1, Duration.ofSeconds(2));
        for (int i = 0; i < 3; i++) {
            CompletableFuture<Integer> fa = outbox.feed(a, Instant.now(), 500).toCompletionStage().toCompletableFuture();
            CompletableFuture<Integer> fb = outbox.feed(b, Instant.now(), 500).toCompletionStage().toCompletableFuture();
            fa.get(10, TimeUnit.SECONDS);
            fb.get(10, TimeUnit.SECONDS);
        }
        assertThat(deliveriesOf(with.id())).isEqualTo(2);
        assertThat(deliveriesOf(without.id())).isZero();

        Instant now = Instant.now();
        List<WebhookOutbox.Claimed> first = await(outbox.claim("owner-1", now, Duration.ofSeconds(30), 10));
        assertThat(first).hasSize(2).allSatisfy(c -> assertThat(c.event().callbackId()).isEqualTo(with.id()));
        assertThat(await(outbox.claim("owner-2", now.plusSeconds(5), Duration.ofSeconds(30), 10)))
                .as("nobody else while the lease runs").isEmpty();
        // owner-1 died: once its lease is over, another instance sends the same rows again
        List<WebhookOutbox.Claimed> again = await(outbox.claim("owner-2", now.plusSeconds(31), Duration.ofSeconds(30), 10));
        assertThat(again).extracting(c -> c.delivery().id())
                .containsExactlyElementsOf(first.stream().map(c -> c.delivery().id()).toList());
        assertThat(again).allSatisfy(c -> assertThat(c.delivery().attempts()).isEqualTo(2));
        long d = again.get(0).delivery().id();
        assertThat(await(outbox.delivered(d, "owner-1", 200, now))).as("a late answer of the old claim").isFalse();
        assertThat(await(outbox.failed(d, "owner-2", 500, "HTTP 500", now.plusSeconds(40)))).isTrue();
        WebhookOutbox.Delivery row = await(outbox.deliveries(with.id())).stream().filter(x -> x.id() == d).findFirst()
                .orElseThrow();
        assertThat(row.status()).isEqualTo(WebhookOutbox.PENDING);
        assertThat(row.lastStatus()).isEqualTo(500);
        assertThat(row.lastError()).isEqualTo("HTTP 500");
        assertThat(await(outbox.claim("owner-3", now.plusSeconds(39), Duration.ofSeconds(30), 10))).as("not due yet")
                .extracting(c -> c.delivery().id()).doesNotContain(d);
        List<WebhookOutbox.Claimed> retry = await(outbox.claim("owner-3", now.plusSeconds(41), Duration.ofSeconds(30), 10));
        assertThat(retry).extracting(c -> c.delivery().id()).contains(d);
        assertThat(await(outbox.delivered(d, "owner-3", 204, now.plusSeconds(41)))).isTrue();
        assertThat(await(outbox.deliveries(with.id())).stream().filter(x -> x.id() == d).findFirst().orElseThrow()
                .status()).isEqualTo(WebhookOutbox.DELIVERED);
    }
}
