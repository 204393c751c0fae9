package io.huibo.service;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.QueueAdmin;
import io.huibo.store.CallbackFilter;
import io.huibo.store.CallbackQueries;
import io.huibo.store.CallbackStore;
import io.huibo.store.DoNotCallStore;
import io.huibo.contacts.DoNotCallException;
import io.huibo.store.StateChange;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does with callbacks beyond one submit, show or cancel: lists by filter, the state
 * history, requeue, reschedule, bulk submit and bulk cancel, and the schedule's figures.
 *
 * <p>Writes keep the rule of {@link CallbackService}: a callback is queued once it is QUEUED in MariaDB
 * and indexed in Redis; MariaDB is written first, so a crash in between leaves a QUEUED row that
 * {@link QueueResync} indexes at the next start (and a repeat of the request indexes at once). The
 * exception is a reschedule, which Redis decides first, like a cancel: a dispatcher may be claiming the
 * callback at that moment, and only the atomic script knows.
 */
public final class CallbackOperations {
    private static final Logger log = LoggerFactory.getLogger(CallbackOperations.class);

    /** Rows stored per transaction in a bulk submit. */
    public static final int BULK_BATCH = 500;
    /** Callbacks looked at per round of a bulk cancel. */
    static final int CANCEL_PAGE = 500;
    /** The dial rate is averaged over this window. */
    public static final Duration RATE_WINDOW = Duration.ofMinutes(1);
    /** The states a requeue takes a callback from (a blocked one stays blocked: its number may not be called). */
    public static final Set<CallState> REQUEUEABLE = Set.copyOf(EnumSet.of(CallState.FAILED, CallState.CANCELLED, CallState.EXPIRED));

    /** One page of a list; {@code nextBefore} null on the last page. */
    public record Page(List<Callback> items, String nextBefore) {
        public Page {
            items = List.copyOf(items);
        }
    }

    public sealed interface RequeueOutcome {
        record Requeued(Callback callback) implements RequeueOutcome { }
        record NotFound() implements RequeueOutcome { }
        /** Not in a state a requeue starts from, or no budget left; {@code callback} as found. */
        record Refused(Callback callback, String reason) implements RequeueOutcome { }
    }

    public sealed interface RescheduleOutcome {
        record Rescheduled(Callback callback) implements RescheduleOutcome { }
        record NotFound() implements RescheduleOutcome { }
        record Refused(CallState state, String reason) implements RescheduleOutcome { }
    }

    /** A row of a bulk submit: a valid request or why it is not one. */
    public record BulkRow(NewCallback request, RuntimeException invalid) {
        public static BulkRow valid(NewCallback r) {
            return new BulkRow(r, null);
        }

        public static BulkRow invalid(RuntimeException e) {
            return new BulkRow(null, e);
        }
    }

    /**
     * What became of one row: stored and scheduled ({@code callback}, {@code error} null), refused as
     * invalid ({@code invalid}), or not stored or not scheduled for a server-side reason ({@code error};
     * {@code callback} set when it was stored but its indexing in Redis failed).
     */
    public record BulkResult(int index, Callback callback, RuntimeException invalid, Throwable error,
                             boolean duplicate) {
        public BulkResult(int index, Callback callback, RuntimeException invalid, Throwable error) {
            this(index, callback, invalid, error, false);
        }
    }

    /** @param notCancelled matched while queued, but being dialed (or gone) by the time of the cancel */
    public record CancelCounts(int matched, int cancelled, int notCancelled) {
    }

    /** @param attemptsInWindow attempts started in the last {@link #RATE_WINDOW}, all instances */
    public record QueueFigures(QueueAdmin.Stats schedule, long attemptsInWindow) {
        public double dialRatePerSecond() {
            return CallbackOperations.dialRatePerSecond(attemptsInWindow);
        }
    }

    /** All instances' dial rate from the attempts started in the last {@link #RATE_WINDOW}. */
    public static double dialRatePerSecond(long attemptsInWindow) {
        return attemptsInWindow / (double) RATE_WINDOW.toSeconds();
    }

    private final CallbackStore store;
    private final CallbackQueries queries;
    private final DoNotCallStore doNotCall;
    private final CallbackQueue queue;
    private final QueueAdmin admin;
    private final CallbackService callbacks;
    private final Clock clock;

    public CallbackOperations(CallbackStore store, CallbackQueries queries, CallbackQueue queue, QueueAdmin admin,
                              CallbackService callbacks, Clock clock) {
        this(store, queries, queue, admin, callbacks, clock, null);
    }

    /** @param doNotCall bulk rows for a number on it are refused (422 each); null: no list */
    public CallbackOperations(CallbackStore store, CallbackQueries queries, CallbackQueue queue, QueueAdmin admin,
                              CallbackService callbacks, Clock clock, DoNotCallStore doNotCall) {
        this.doNotCall = doNotCall;
        this.store = store;
        this.queries = queries;
        this.queue = queue;
        this.admin = admin;
        this.callbacks = callbacks;
        this.clock = clock;
    }

    // ---- reads

    /** Up to {@code limit} callbacks matching {@code f}, newest first, below the cursor id {@code before}. */
    public Future<Page> list(CallbackFilter f, String before, int limit) {
        return queries.list(f, before, limit + 1).map(rows -> rows.size() > limit
                ? new Page(rows.subList(0, limit), rows.get(limit - 1).id())
                : new Page(rows, null));
    }

    /** The state history, oldest first; empty for an unknown callback. */
    public Future<Optional<List<StateChange>>> events(String id) {
        if (!CallbackIds.isValid(id)) {
            return Future.succeededFuture(Optional.empty());
        }
        return store.find(id).compose(found -> found.isEmpty() ? Future.succeededFuture(Optional.empty())
                : store.history(id).map(Optional::of));
    }

    public Future<QueueFigures> queue() {
        Instant since = clock.instant().minus(RATE_WINDOW);
        return admin.stats().compose(s -> queries.attemptsStartedSince(since).map(n -> new QueueFigures(s, n)));
    }

    // ---- requeue, reschedule

    /**
     * A FAILED or CANCELLED callback is QUEUED again with {@code budget} more attempts, due at {@code at}
     * (null or past: now). A QUEUED one is refused, but indexed in Redis if it was missing there: that
     * completes an earlier requeue whose Redis write failed, and is then answered as a requeue.
     */
    public Future<RequeueOutcome> requeue(String id, int budget, Instant at) {
        if (!CallbackIds.isValid(id)) {
            return Future.succeededFuture(new RequeueOutcome.NotFound());
        }
        Instant now = clock.instant();
        Instant due = at == null || at.isBefore(now) ? now : at;
        return queries.requeue(id, REQUEUEABLE, budget, due, now,
                "requeued over the API with " + budget + " more attempts").<RequeueOutcome>compose(r -> switch (r.status()) {
            case NOT_FOUND -> Future.succeededFuture(new RequeueOutcome.NotFound());
            case DUPLICATE -> Future.succeededFuture(new RequeueOutcome.Refused(r.callback(),
                    "another callback for its number and destination is queued or dialing"));
            case NO_BUDGET -> Future.succeededFuture(new RequeueOutcome.Refused(r.callback(),
                    "it has made " + r.callback().attempts() + " attempts; at most " + Callback.MAX_TOTAL_ATTEMPTS
                            + " are possible in all"));
            case WRONG_STATE -> r.callback().state() != CallState.QUEUED ? refusedRequeue(r.callback())
                    : callbacks.reindex(id).map(added -> added
                            ? new RequeueOutcome.Requeued(r.callback())
                            : refusedRequeue(r.callback()).result());
            case REQUEUED -> {
                Callback cb = r.callback();
                log.info("callback {} requeued with {} more attempts", id, budget);
                yield queue.enqueue(cb.id(), cb.priority(), cb.dueAt())
                        .map(added -> (RequeueOutcome) new RequeueOutcome.Requeued(cb));
            }
        });
    }

    private static Future<RequeueOutcome> refusedRequeue(Callback cb) {
        return Future.succeededFuture(new RequeueOutcome.Refused(cb, "the callback is " + cb.state().wire()
                + "; only failed or cancelled callbacks can be requeued"));
    }

    /**
     * Moves a QUEUED callback to a new due time ({@code at} null: keeps it; past: now) and/or priority
     * (null: keeps it). Refused while it is being dialed or once it left QUEUED.
     */
    public Future<RescheduleOutcome> reschedule(String id, Instant at, Integer priority) {
        if (!CallbackIds.isValid(id)) {
            return Future.succeededFuture(new RescheduleOutcome.NotFound());
        }
        return store.find(id).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(new RescheduleOutcome.NotFound());
            }
            Callback cb = found.get();
            if (cb.state() != CallState.QUEUED) {
                return notQueued(cb.state());
            }
            Instant now = clock.instant();
            Instant due = at == null ? cb.dueAt() : at.isBefore(now) ? now : at;
            int prio = priority == null ? cb.priority() : priority;
            return admin.reschedule(id, prio, due).compose(moved -> {
                if (moved == QueueAdmin.RescheduleResult.BUSY) {
                    return Future.succeededFuture(new RescheduleOutcome.Refused(CallState.DIALING,
                            "the callback is being dialed; it can no longer be rescheduled"));
                }
                return queries.reschedule(id, prio, due, now, "rescheduled over the API: due " + due
                        + ", priority " + prio).compose(after -> {
                    if (after.isEmpty()) {
                        return store.find(id).compose(now2 -> notQueued(now2.map(Callback::state).orElse(null)));
                    }
                    if (moved == QueueAdmin.RescheduleResult.MOVED) {
                        return Future.succeededFuture(new RescheduleOutcome.Rescheduled(after.get()));
                    }
                    // committed but never indexed (its enqueue failed): indexed now, at the new time
                    log.info("callback {} was not in the schedule; its reschedule indexed it", id);
                    return queue.enqueue(id, prio, due).map(x -> new RescheduleOutcome.Rescheduled(after.get()));
                });
            });
        });
    }

    private static Future<RescheduleOutcome> notQueued(CallState state) {
        if (state == null) {
            return Future.succeededFuture(new RescheduleOutcome.NotFound());
        }
        return Future.succeededFuture(new RescheduleOutcome.Refused(state, "the callback is " + state.wire()
                + "; only queued callbacks can be rescheduled"));
    }

    // ---- bulk

    /**
     * Stores the valid rows, {@link #BULK_BATCH} per transaction, then indexes them in Redis; invalid rows
     * and failed batches do not stop the others. One result per row, in order.
     */
    public Future<List<BulkResult>> bulkSubmit(List<BulkRow> rows) {
        return bulkSubmit(rows, null);
    }

    /** As {@link #bulkSubmit(List)}, every stored callback with this webhook URL (null: none). */
    public Future<List<BulkResult>> bulkSubmit(List<BulkRow> rows, String webhook) {
        if (doNotCall == null) {
            return bulkStore(rows, webhook);
        }
        // one lookup for the whole body; a listed number's row is refused like an invalid one
        List<io.huibo.domain.PhoneNumber> numbers = rows.stream().filter(r -> r.request() != null)
                .map(r -> r.request().number()).toList();
        return doNotCall.findAll(numbers).compose(listed -> {
            if (listed.isEmpty()) {
                return bulkStore(rows, webhook);
            }
            List<BulkRow> checked = new ArrayList<>(rows.size());
            for (BulkRow r : rows) {
                DoNotCallStore.Entry e = r.request() == null ? null : listed.get(r.request().number().value());
                checked.add(e == null ? r : BulkRow.invalid(new DoNotCallException(e.number(), e.reason())));
            }
            return bulkStore(checked, webhook);
        });
    }

    private Future<List<BulkResult>> bulkStore(List<BulkRow> rows, String webhook) {
        Instant now = clock.instant();
        BulkResult[] results = new BulkResult[rows.size()];
        List<Integer> validIndex = new ArrayList<>();
        List<Callback> valid = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            BulkRow row = rows.get(i);
            if (row.invalid() != null) {
                results[i] = new BulkResult(i, null, row.invalid(), null);
                continue;
            }
            validIndex.add(i);
            // bulk rows carry no idempotency key (CallbackQueries.insertAll refuses one)
            valid.add(row.request().toQueued(now));
        }
        List<Future<Void>> batches = new ArrayList<>();
        for (int from = 0; from < valid.size(); from += BULK_BATCH) {
            int start = from;
            int end = Math.min(valid.size(), from + BULK_BATCH);
            List<Callback> batch = valid.subList(start, end);
            batches.add(queries.insertAll(batch, webhook).transform(stored -> {
                if (stored.failed()) {
                    log.warn("a bulk batch of {} callbacks could not be stored: {}", batch.size(),
                            stored.cause().toString());
                    for (int k = start; k < end; k++) {
                        results[validIndex.get(k)] = new BulkResult(validIndex.get(k), null, null, stored.cause());
                    }
                    return Future.succeededFuture();
                }
                List<Future<Boolean>> enq = new ArrayList<>();
                for (Callback cb : stored.result()) {
                    // a duplicate's callback may be dialing: only a queued one is (re)indexed, a no-op
                    // when Redis holds it, as for a repeated single submit
                    enq.add(cb.state() == CallState.QUEUED ? queue.enqueue(cb.id(), cb.priority(), cb.dueAt())
                            : Future.succeededFuture(false));
                }
                return Future.join(enq).transform(x -> {
                    for (int k = start; k < end; k++) {
                        Future<Boolean> f = enq.get(k - start);
                        Callback cb = stored.result().get(k - start);
                        int index = validIndex.get(k);
                        boolean duplicate = !cb.id().equals(batch.get(k - start).id());
                        results[index] = new BulkResult(index, cb, null, f.failed() ? f.cause() : null, duplicate);
                    }
                    return Future.succeededFuture();
                });
            }));
        }
        return Future.join(batches).transform(x -> Future.succeededFuture(List.of(results)));
    }

    /**
     * Cancels every QUEUED callback matching {@code f} (its states are ignored: only queued ones can be
     * cancelled), each as {@link CallbackService#cancel} does, page by page.
     */
    public Future<CancelCounts> cancelMatching(CallbackFilter f) {
        return cancelPage(f.withStates(Set.of(CallState.QUEUED)), null, new CancelCounts(0, 0, 0));
    }

    private Future<CancelCounts> cancelPage(CallbackFilter f, String before, CancelCounts sofar) {
        return queries.list(f, before, CANCEL_PAGE).compose(page -> {
            if (page.isEmpty()) {
                return Future.succeededFuture(sofar);
            }
            List<Future<CancelOutcome>> fs = new ArrayList<>(page.size());
            for (Callback cb : page) {
                fs.add(callbacks.cancel(cb.id()));
            }
            return Future.join(fs).transform(x -> {
                int cancelled = 0;
                int not = 0;
                for (Future<CancelOutcome> o : fs) {
                    if (o.failed()) {
                        return Future.failedFuture(o.cause());
                    }
                    if (o.result() == CancelOutcome.CANCELLED) {
                        cancelled++;
                    } else {
                        not++;
                    }
                }
                CancelCounts next = new CancelCounts(sofar.matched() + page.size(), sofar.cancelled() + cancelled,
                        sofar.notCancelled() + not);
                return page.size() < CANCEL_PAGE ? Future.succeededFuture(next)
                        : cancelPage(f, page.get(page.size() - 1).id(), next);
            });
        });
    }
}
