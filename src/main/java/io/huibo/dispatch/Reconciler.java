package io.huibo.dispatch;

import io.huibo.logging.CallMdc;
import io.huibo.cluster.NodeOwnership;
import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.LiveChannel;
import io.huibo.pbx.OutcomeMemory;
import io.huibo.pbx.PbxCluster;
import io.huibo.pbx.PbxNode;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.Claim;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out what became of an attempt nobody here saw end, before anything is dialed again: a claim
 * that comes with an attempt in flight (its previous holder died or stalled), a callback MariaDB says
 * is DIALING, or a call of ours whose end was lost (events dropped across a reconnect).
 *
 * <p>The evidence, in order: MariaDB (no attempt row: the Originate was never sent, so the attempt is
 * taken back and dialed; an ended row: only the queue step is left), the node (only its owner can ask
 * it; a live call is adopted and followed; a result the node reported meanwhile), and the node's
 * outcome memory (what the dialplan wrote as the call went). {@link Verdicts} decides from it once;
 * the attempt then ends through {@link Dispatcher#end}. A failed read is never taken for an absent
 * row: it is asked again. An attempt on a node nobody can ask (down, removed, without an owner) is
 * asked again until {@code unreachableTimeout}, then closed with an unknown outcome and the reason.
 *
 * <p>Runs on the dispatcher's event loop; the dispatcher holds the leases.
 */
final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    /**
     * An empty memory right after a channel went is asked again this often, this many times: the
     * dialplan's last writes (h extensions) may land just after the channel left CoreShowChannels.
     */
    private static final long MEMORY_SETTLE_MS = 1000;
    private static final int MEMORY_ASKS = 3;

    private final Dispatcher d;
    private final CallbackQueue queue;
    private final CallbackStore store;
    private final PbxCluster cluster;
    private final NodeOwnership ownership;
    private final Clock clock;
    private final Duration unreachableTimeout;
    /** When each callback's attempt was first found on a node nobody could ask, for the bound. */
    private final Map<String, Instant> unreachableSince = new HashMap<>();

    Reconciler(Dispatcher d, CallbackQueue queue, CallbackStore store, PbxCluster cluster, NodeOwnership ownership,
               Clock clock, Duration unreachableTimeout) {
        this.d = d;
        this.queue = queue;
        this.store = store;
        this.cluster = cluster;
        this.ownership = ownership;
        this.clock = clock;
        this.unreachableTimeout = unreachableTimeout;
    }

    /** A claim whose previous holder had an attempt in flight. */
    void reconcile(Claim c) {
        if (!d.holds(c.id())) {
            return;
        }
        store.find(c.id()).onComplete(ar -> {
            if (ar.failed()) {
                again(c, "reading it from MariaDB failed: " + ar.cause());
            } else if (ar.result().isEmpty() || ar.result().get().state().isFinal()) {
                forget(c.id());
                d.release(c.id(), fence -> queue.ack(c.id(), d.owner(), fence));
            } else {
                reconcile(c, ar.result().get());
            }
        });
    }

    /**
     * A claimed callback, read from MariaDB, with an attempt possibly in flight: the claim's (Redis
     * marked it before the Originate) or, when MariaDB says DIALING, the one MariaDB counts last.
     */
    void reconcile(Claim c, Callback cb) {
        if (!d.holds(c.id())) {
            return;
        }
        int number = cb.state() == CallState.DIALING ? cb.attempts() : c.inflightAttempt();
        if (number <= 0) {
            d.startAttempt(cb, c.priority());
            return;
        }
        store.attempt(cb.id(), number).onComplete(ar -> {
            if (ar.failed()) {
                again(c, "reading attempt " + number + " from MariaDB failed: " + ar.cause());
                return;
            }
            if (ar.result().isEmpty()) {
                // recorded before any Originate is sent: without a row nothing was sent
                CallMdc.log(c.id(), number, null, null, () -> log.info(
                        "attempt {} of {} was never recorded, so never sent; dialing it now", number, c.id()));
                forget(c.id());
                neverSent(cb, number, c.priority());
                return;
            }
            Attempt a = ar.result().get();
            Dispatcher.InFlight f = inFlight(cb, a);
            if (!a.inProgress()) {
                // its end was recorded; the holder died before the queue step
                forget(c.id());
                d.end(f, null);
                return;
            }
            onNode(f, c);
        });
    }

    /**
     * A call of ours ended while nobody listened ({@code partial}: what the node saw before): ask the
     * node's memory, then end it. While the node cannot be asked the attempt keeps its lease and waits.
     */
    void resolveUnseen(Dispatcher.InFlight f, AttemptResult partial) {
        recall(f, partial, 1);
    }

    private void recall(Dispatcher.InFlight f, AttemptResult partial, int ask) {
        String id = f.callback().id();
        PbxNode node = cluster.node(f.attempt().nodeId()).orElse(null);
        if (node == null) {
            forget(id);
            d.end(f, Verdicts.unknown("node " + f.attempt().nodeId() + " is no longer configured",
                    partial.answeredAt(), partial.endedAt()));
            return;
        }
        node.recall(f.attempt().memoKey()).onComplete(ar -> {
            if (!d.runs(f.attempt().channelId())) {
                // handed over (parked) meanwhile: the next owner asks
                forget(id);
            } else if (ar.succeeded() && ar.result().isEmpty() && ask < MEMORY_ASKS) {
                d.later(MEMORY_SETTLE_MS).onComplete(x -> recall(f, partial, ask + 1));
            } else if (ar.succeeded()) {
                forget(id);
                d.end(f, Verdicts.unseen(partial, ar.result(), clock.instant()));
            } else if (givenUp(id)) {
                d.end(f, Verdicts.unknown("node " + node.id() + " could not be asked for " + unreachableTimeout
                        + " (" + ar.cause().getMessage() + ")", partial.answeredAt(), partial.endedAt()));
            } else {
                CallMdc.log(id, f.attempt().number(), node.id(), f.attempt().channelId(), () -> log.info(
                        "attempt {} of {}: node {} cannot be asked how it ended ({}); asking again",
                        f.attempt().number(), id, node.id(), ar.cause().getMessage()));
                d.later(Dispatcher.RECONCILE_RETRY_MS).onComplete(x -> recall(f, partial, ask));
            }
        });
    }

    // ---------------------------------------------------------------- the node

    private void onNode(Dispatcher.InFlight f, Claim c) {
        Attempt a = f.attempt();
        String id = c.id();
        if (d.runs(a.channelId())) {
            return;
        }
        AttemptResult known = d.takeUnclaimed(a.channelId());
        if (known != null) {
            // the node followed it (adopted at login) and saw it end, or found it gone
            forget(id);
            d.track(f);
            if (known.observed()) {
                d.end(f, Verdicts.seen(known));
            } else {
                resolveUnseen(f, known);
            }
            return;
        }
        PbxNode node = cluster.node(a.nodeId()).orElse(null);
        if (node == null) {
            forget(id);
            d.end(f, Verdicts.unknown("node " + a.nodeId() + " is no longer configured", null, clock.instant()));
            return;
        }
        if (!ownership.owns(node.id())) {
            if (c.orphaned()) {
                forget(id);
                d.end(f, Verdicts.unknown("nobody drove node " + node.id() + " for " + unreachableTimeout,
                        null, clock.instant()));
            } else {
                // only the node's owner can ask it (and we must not dial): hand it over
                CallMdc.log(id, a.number(), node.id(), a.channelId(), () -> log.info(
                        "attempt {} of {} runs on {}, which another instance drives: parking it there",
                        a.number(), id, node.id()));
                forget(id);
                d.park(id);
            }
            return;
        }
        if (d.stopping()) {
            forget(id);
            d.park(id);
            return;
        }
        if (!node.isConnected()) {
            waitOrGiveUp(f, c, "node " + node.id() + " is not connected");
            return;
        }
        node.liveChannels().onComplete(ar -> {
            if (ar.failed()) {
                waitOrGiveUp(f, c, "node " + node.id() + " did not list its channels: " + ar.cause().getMessage());
                return;
            }
            if (d.runs(a.channelId()) || !d.holds(id)) {
                return;
            }
            LiveChannel live = null;
            for (LiveChannel ch : ar.result()) {
                if (a.channelId().equals(ch.uniqueid())) {
                    live = ch;
                }
            }
            forget(id);
            d.track(f);
            if (live != null) {
                CallMdc.log(id, a.number(), node.id(), a.channelId(),
                        () -> log.info("adopting live call {} on {}", a.channelId(), node.id()));
                node.adopt(a.channelId(), id, a.number(), live);
                return;
            }
            AttemptResult seen = d.takeUnclaimed(a.channelId());
            if (seen != null && seen.observed()) {
                d.end(f, Verdicts.seen(seen));
            } else {
                resolveUnseen(f, seen != null ? seen : nothingSeen(f));
            }
        });
    }

    /** What an instance that did not run the call saw of it: nothing. */
    private AttemptResult nothingSeen(Dispatcher.InFlight f) {
        Attempt a = f.attempt();
        return new AttemptResult(a.channelId(), a.callbackId(), a.number(), a.nodeId(), null, null, null, null,
                clock.instant(), "not on node " + a.nodeId() + " any more", false);
    }

    private void waitOrGiveUp(Dispatcher.InFlight f, Claim c, String why) {
        if (givenUp(c.id())) {
            d.end(f, Verdicts.unknown(why + " for " + unreachableTimeout, null, clock.instant()));
            return;
        }
        again(c, why);
    }

    /** True once the callback's node has been unreachable for the bound (counted from the first time). */
    private boolean givenUp(String id) {
        Instant now = clock.instant();
        Instant since = unreachableSince.computeIfAbsent(id, k -> now);
        if (Duration.between(since, now).compareTo(unreachableTimeout) >= 0) {
            unreachableSince.remove(id);
            return true;
        }
        return false;
    }

    private void forget(String id) {
        unreachableSince.remove(id);
    }

    private void again(Claim c, String why) {
        if (!d.holds(c.id())) {
            forget(c.id());
            return;
        }
        if (d.stopping()) {
            // the next owner of the node asks
            forget(c.id());
            d.park(c.id());
            return;
        }
        CallMdc.log(c.id(), null, null, null, () -> log.info("reconciling {}: {}; asking again in {} ms", c.id(),
                why, Dispatcher.RECONCILE_RETRY_MS));
        d.later(Dispatcher.RECONCILE_RETRY_MS).onComplete(x -> reconcile(c));
    }

    /**
     * The attempt was never sent: if MariaDB counts it (DIALING for it without a row), it is taken back,
     * then the callback is dialed as a fresh claim.
     */
    private void neverSent(Callback cb, int number, int priority) {
        if (cb.state() == CallState.DIALING && cb.attempts() == number) {
            Attempt a = Attempt.started(cb.id(), number, null, clock.instant());
            d.persistently("taking back attempt " + number + " of " + cb.id(),
                    () -> store.attemptNotSent(a, "no attempt row: never sent")).onComplete(ar -> {
                        if (ar.failed()) {
                            d.putBack(cb.id(), priority, Dispatcher.NOT_STARTED_DELAY);
                        } else {
                            d.startAttempt(cb.as(CallState.QUEUED, number - 1, cb.updatedAt()), priority);
                        }
                    });
            return;
        }
        d.startAttempt(cb, priority);
    }

    private static Dispatcher.InFlight inFlight(Callback cb, Attempt a) {
        return new Dispatcher.InFlight(cb.as(cb.state(), Math.max(cb.attempts(), a.number()), cb.updatedAt()), a);
    }
}
