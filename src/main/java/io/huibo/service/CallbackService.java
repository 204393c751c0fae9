package io.huibo.service;

import io.huibo.contacts.DoNotCallException;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.queue.CallbackQueue;
import io.huibo.store.CallbackStore;
import io.huibo.store.DoNotCallStore;
import io.huibo.store.RouteTryStore;
import io.huibo.store.WebhookOutbox;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepting, showing and cancelling callbacks. A callback is accepted only once it is committed in
 * MariaDB (the record of truth) and indexed in Redis (the schedule); if Redis is lost afterwards,
 * {@link QueueResync} rebuilds the schedule from MariaDB.
 */
public final class CallbackService {
    private static final Logger log = LoggerFactory.getLogger(CallbackService.class);

    private final CallbackStore store;
    private final CallbackQueue queue;
    private final Clock clock;
    private final RouteTryStore tries;
    private final WebhookOutbox webhooks;
    /** The do-not-call list checked before a callback is stored; null: none. */
    private final DoNotCallStore doNotCall;
    private final QueuePosition positions;

    public CallbackService(CallbackStore store, CallbackQueue queue, Clock clock) {
        this(store, queue, clock, null);
    }

    /** @param tries where the route tries are read for {@link #get}; null shows none */
    public CallbackService(CallbackStore store, CallbackQueue queue, Clock clock, RouteTryStore tries) {
        this(store, queue, clock, tries, null);
    }

    /** @param webhooks where the webhook deliveries are read for {@link #get}; null shows none */
    public CallbackService(CallbackStore store, CallbackQueue queue, Clock clock, RouteTryStore tries,
                           WebhookOutbox webhooks) {
        this(store, queue, clock, tries, webhooks, null, null);
    }

    /**
     * @param doNotCall a request for a number on it fails with {@link DoNotCallException}; null: no list
     * @param positions the queue position and ETA {@link #get} shows; null shows none
     */
    public CallbackService(CallbackStore store, CallbackQueue queue, Clock clock, RouteTryStore tries,
                           WebhookOutbox webhooks, DoNotCallStore doNotCall, QueuePosition positions) {
        this.doNotCall = doNotCall;
        this.positions = positions;
        this.store = store;
        this.queue = queue;
        this.clock = clock;
        this.tries = tries;
        this.webhooks = webhooks;
    }

    /**
     * Stores and schedules a callback. Fails with {@link DoNotCallException} (nothing stored) when its
     * number is on the do-not-call list. A repeat of an idempotency key, or (deduplication) a second
     * request for a number and destination that a queued or dialing callback has, gets that callback.
     */
    public Future<Submission> submit(NewCallback req) {
        if (doNotCall == null) {
            return store(req);
        }
        return doNotCall.find(req.number()).compose(listed -> listed.isPresent()
                ? Future.failedFuture(new DoNotCallException(req.number(), listed.get().reason()))
                : store(req));
    }

    private Future<Submission> store(NewCallback req) {
        Callback cb = req.toQueued(clock.instant());
        return store.insert(cb, req.webhook()).compose(stored -> {
            boolean repeat = !stored.id().equals(cb.id());
            boolean duplicate = repeat && (cb.idempotencyKey() == null
                    || !cb.idempotencyKey().equals(stored.idempotencyKey()));
            if (repeat && stored.state() != CallState.QUEUED) {
                return Future.succeededFuture(new Submission(stored, true, duplicate));
            }
            // A repeat of a queued callback is indexed again: the request it repeats may have been
            // answered 503 after MariaDB committed and Redis failed, and then nothing else would
            // schedule it until a restart. Enqueue is a no-op for a callback Redis already holds.
            return queue.enqueue(stored.id(), stored.priority(), stored.dueAt())
                    .map(added -> {
                        if (repeat && added) {
                            log.info("callback {} was not in the schedule; its repeat indexed it", stored.id());
                        }
                        return new Submission(stored, repeat, duplicate);
                    });
        });
    }

    /**
     * Indexes a callback in Redis again if MariaDB still has it QUEUED (a no-op if Redis holds it), for
     * a repeated request whose first enqueue may have failed after the commit. True if it was missing
     * from the schedule. Fails when MariaDB cannot be read: that is never taken for "not found".
     */
    public Future<Boolean> reindex(String id) {
        return store.find(id).compose(found -> {
            if (found.isEmpty() || found.get().state() != CallState.QUEUED) {
                return Future.succeededFuture(false);
            }
            Callback cb = found.get();
            return queue.enqueue(cb.id(), cb.priority(), cb.dueAt()).map(added -> {
                if (added) {
                    log.info("callback {} was not in the schedule; indexed it again", cb.id());
                }
                return added;
            });
        });
    }

    public Future<Optional<CallbackView>> get(String id) {
        if (!CallbackIds.isValid(id)) {
            return Future.succeededFuture(Optional.empty());
        }
        return store.find(id).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            Future<List<RouteTryStore.RouteTry>> routeTries = tries == null ? Future.succeededFuture(List.of())
                    : tries.tries(id);
            Future<List<WebhookOutbox.Delivery>> deliveries = webhooks == null ? Future.succeededFuture(List.of())
                    : webhooks.deliveries(id);
            // Redis not answering leaves the position out, not the callback: MariaDB has the record
            Future<QueuePosition.Placing> placing = positions == null ? Future.succeededFuture(null)
                    : positions.of(found.get()).otherwise(e -> {
                        log.warn("no queue position for {}: {}", id, e.toString());
                        return null;
                    });
            return store.attempts(id).compose(attempts -> routeTries.compose(t -> deliveries.compose(w -> placing
                    .map(p -> Optional.of(new CallbackView(found.get(), attempts, t, w, p))))));
        });
    }

    /**
     * Cancels a callback that is not being dialed. Redis decides atomically: a callback that a
     * dispatcher has claimed is leased, and the cancel loses the race cleanly ({@link CancelOutcome#TOO_LATE}).
     */
    public Future<CancelOutcome> cancel(String id) {
        if (!CallbackIds.isValid(id)) {
            return Future.succeededFuture(CancelOutcome.NOT_FOUND);
        }
        return store.find(id).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(CancelOutcome.NOT_FOUND);
            }
            Callback cb = found.get();
            if (cb.state() != CallState.QUEUED) {
                return Future.succeededFuture(CancelOutcome.TOO_LATE);
            }
            return queue.cancel(id).compose(result -> switch (result) {
                case BUSY -> Future.succeededFuture(CancelOutcome.TOO_LATE);
                // NOT_FOUND: committed but not (yet) indexed; the state guard below still protects it
                case CANCELLED, NOT_FOUND -> store.transition(id, CallState.QUEUED, CallState.CANCELLED,
                                cb.attempts(), cb.dueAt(), "cancelled over the API")
                        .map(ok -> {
                            if (!ok) {
                                log.warn("callback {} left QUEUED before its cancel was recorded", id);
                            }
                            return ok ? CancelOutcome.CANCELLED : CancelOutcome.TOO_LATE;
                        });
            });
        });
    }
}
