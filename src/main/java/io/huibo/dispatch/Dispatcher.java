package io.huibo.dispatch;

import io.huibo.logging.CallMdc;
import io.huibo.cluster.NodeOwnership;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.metrics.Metrics;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.OriginateException;
import io.huibo.pbx.OriginateRequest;
import io.huibo.pbx.PbxCluster;
import io.huibo.pbx.PbxNode;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.Claim;
import io.huibo.queue.MarkResult;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls due callbacks from the shared queue, up to what this instance's nodes can dial now, and runs
 * each attempt to its end: node choice, Originate, outcome, retry or finish.
 *
 * <p>All state lives on this verticle's event loop. Every step is written to MariaDB (the record)
 * before Redis (the schedule and the lease), and an attempt is marked in Redis (node, ChannelId) and
 * recorded in MariaDB before its Originate is sent: so whoever holds the callback next finds out what
 * became of the attempt ({@link Reconciler}) instead of dialing again, and an attempt without a row in
 * MariaDB was certainly never sent.
 *
 * <p>One path ends an attempt ({@link #end}): the attempt's end and the callback's move are one
 * MariaDB step, retried until it commits (a MariaDB outage delays it, the lease is kept meanwhile),
 * then the Redis ack or retry, then the handlers (trunk slots, route memory). An attempt whose
 * Originate was never sent ({@link #notSent}) is taken back without counting it.
 *
 * <p>Fencing: every claim carries a token that every later Redis step of it must show; a lease this
 * instance lost (it stalled, another instance took the callback) makes those steps fail harmlessly. A
 * re-claim of a callback this instance is still running or ending (its lease ran out, it came back
 * through the queue) only takes the new token.
 *
 * <p>Several instances: each drives only the nodes it owns ({@link NodeOwnership}) and starts a call
 * only while its lease of the node is valid, checked again right before the Originate; the Redis mark
 * of the attempt checks the node's fencing token too, so an instance that lost a node cannot start a
 * call there. An attempt's channel lives on one node and only its owner can ask about it, so
 * reconciliation happens at the owner: a claim for a node this instance does not own is parked there.
 */
public final class Dispatcher extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final long RECONCILE_RETRY_MS = 2000;
    /**
     * Past this lag (this verticle's event loop, or the AMI events of any node) the instance is not
     * keeping up with the calls it has: it claims nothing new until it catches up. Without it an
     * overloaded instance keeps dialing up to the nodes' channel limits, its heap fills with calls it
     * cannot serve, and asterisk-java's bounded event queue starts dropping events (a lost Hangup is a
     * call that never ends). Due callbacks wait in Redis meanwhile, where they cost nothing.
     */
    static final long MAX_LAG_MS = 250;
    private static final long HEARTBEAT_MS = 50;
    private static final long WRITE_RETRY_FIRST_MS = 250;
    private static final long WRITE_RETRY_MAX_MS = 5000;
    /** A callback whose attempt could not start (MariaDB down, node refused) is due again after this. */
    static final Duration NOT_STARTED_DELAY = Duration.ofSeconds(1);
    private static final Duration ORPHAN_CHECK = Duration.ofSeconds(10);
    /** How many FastAGI addresses an Originate carries: this instance and up to two others. */
    private static final int AGI_ADDRESSES = 3;

    /** An attempt this instance is running on a node. */
    record InFlight(Callback callback, Attempt attempt) {
    }

    private final CallbackQueue queue;
    private final CallbackStore store;
    private final PbxCluster cluster;
    private final RetryPolicy policy;
    private final HuiboConfig.Dispatch cfg;
    private final String owner;
    private final String agiAddress;
    private final Clock clock;
    private final NodeOwnership ownership;
    private final BiPredicate<String, Integer> legBRouted;
    private final Reconciler reconciler;
    private final Metrics metrics;
    private final DialGate gate;
    /** Each leg's longest connected time (Dial's S()); 0: none. */
    private final int maxCallSeconds;

    /** Every callback this instance holds a lease on, with its claim's fencing token: all renewed. */
    private final Map<String, Long> fences = new HashMap<>();
    private final Map<String, InFlight> byChannel = new HashMap<>();
    /** Callbacks whose attempt's end is being written: their lease is kept until both stores have it. */
    private final Set<String> ending = new HashSet<>();
    /** Callbacks whose last queue step (retry, park, ack) is on its way: their lease is given up. */
    private final Set<String> releasing = new HashSet<>();
    /**
     * Claims of callbacks that came back through the queue while this instance was still ending or
     * releasing them: handled as new claims once that is done, so nothing is decided twice at once.
     */
    private final Map<String, Claim> deferred = new HashMap<>();
    /**
     * Results of attempts this instance did not run (a previous owner's calls, adopted by the node at
     * login), kept until the callback's parked claim arrives here. Bounded, oldest first out.
     */
    private final Map<String, AttemptResult> unclaimedResults = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AttemptResult> e) {
            return size() > 10_000;
        }
    };
    /** Read by the FastAGI route lookup from other event loops, hence concurrent. */
    private final Map<String, Callback> inFlightCallbacks = new ConcurrentHashMap<>();
    /** Slots promised to attempts whose Originate has not been acknowledged yet, per node. */
    private final Map<String, Integer> reserved = new HashMap<>();
    private final List<Handler<AttemptResult>> endedHandlers = new CopyOnWriteArrayList<>();
    /** What holds new calls back while it says so (see {@link #pauseWhile}), by the reason logged. */
    private final Map<String, BooleanSupplier> pauseSignals = new ConcurrentHashMap<>();
    private boolean claiming;
    private boolean claimingParked;
    private boolean stopping;
    private long heartbeatAt;
    private long loopLagMillis;
    private boolean paused;
    private long pauseLoggedAt = Long.MIN_VALUE / 2;

    /**
     * @param legBRouted whether this instance handed out leg B's route of (callback, attempt): a stopping
     *                   instance waits for that (or the end) before it hands its calls over
     */
    public Dispatcher(CallbackQueue queue, CallbackStore store, PbxCluster cluster, RetryPolicy policy,
                      HuiboConfig.Dispatch cfg, String owner, String agiAddress, Clock clock,
                      NodeOwnership ownership, BiPredicate<String, Integer> legBRouted) {
        this(queue, store, cluster, policy, cfg, owner, agiAddress, clock, ownership, legBRouted, Metrics.none(),
                DialGate.open(), 0);
    }

    /**
     * @param metrics        claims, Originates, due-to-Originate lag and pauses are counted there
     * @param gate           asked before each attempt whether the callback may be dialed now
     * @param maxCallSeconds longest each leg may stay connected (the toll-fraud guard's Dial S()); 0: no limit
     */
    public Dispatcher(CallbackQueue queue, CallbackStore store, PbxCluster cluster, RetryPolicy policy,
                      HuiboConfig.Dispatch cfg, String owner, String agiAddress, Clock clock,
                      NodeOwnership ownership, BiPredicate<String, Integer> legBRouted, Metrics metrics,
                      DialGate gate, int maxCallSeconds) {
        this.maxCallSeconds = maxCallSeconds;
        this.metrics = metrics;
        this.gate = gate;
        this.ownership = ownership;
        this.queue = queue;
        this.store = store;
        this.cluster = cluster;
        this.policy = policy;
        this.cfg = cfg;
        this.owner = owner;
        this.agiAddress = agiAddress;
        this.clock = clock;
        this.legBRouted = legBRouted;
        this.reconciler = new Reconciler(this, queue, store, cluster, ownership, clock, cfg.unreachableTimeout());
    }

    @Override
    public Future<?> start() {
        ownership.bind(context, new NodeOwnership.Listener() {
            @Override
            public int busy(String node) {
                return busyOn(node);
            }

            @Override
            public void lost(String node) {
                abandon(node);
            }
        });
        vertx.setPeriodic(ownership.tickInterval().toMillis(), id -> {
            if (!stopping) {
                ownership.tick();
            }
        });
        ownership.tick();
        cluster.onAttemptResult(r -> context.runOnContext(v -> onResult(r)));
        // this instance's own lags are pause signals like any other part's
        pauseWhile("its event loop lags over " + MAX_LAG_MS + " ms", () -> loopLagMillis > MAX_LAG_MS);
        pauseWhile("the AMI events of a node wait over " + MAX_LAG_MS + " ms to be handled",
                () -> cluster.eventLagMillis() > MAX_LAG_MS);
        heartbeatAt = System.nanoTime();
        vertx.setPeriodic(HEARTBEAT_MS, id -> {
            long now = System.nanoTime();
            loopLagMillis = Math.max(0, (now - heartbeatAt) / 1_000_000 - HEARTBEAT_MS);
            heartbeatAt = now;
        });
        vertx.setPeriodic(cfg.pollInterval().toMillis(), id -> tick());
        vertx.setPeriodic(Math.max(100, cfg.leaseTtl().toMillis() / 3), id -> renew());
        vertx.setPeriodic(Math.max(200, cfg.leaseTtl().toMillis() / 4), id -> reap());
        vertx.setPeriodic(ORPHAN_CHECK.toMillis(), id -> releaseOrphans());
        return Future.succeededFuture();
    }

    /**
     * Graceful stop: no new claims; calls in progress get up to {@code shutdownGrace} to pass their leg
     * B routing (or end) while FastAGI and AMI stay up; what still runs is then handed to the next owner
     * of its node (parked), endings being written get the rest of the grace, and only then are the nodes
     * given up (their AMI sessions logged off). FastAGI and HTTP are stopped after this verticle.
     */
    @Override
    public Future<?> stop() {
        stopping = true;
        long deadline = System.nanoTime() + cfg.shutdownGrace().toNanos();
        return waitUntil(this::allPastRouting, deadline).compose(v -> {
            List<Future<?>> parked = new ArrayList<>();
            for (InFlight f : List.copyOf(byChannel.values())) {
                String id = f.callback().id();
                forgetRunning(f);
                Long fence = fences.remove(id);
                if (fence != null) {
                    parked.add(queue.park(id, owner, fence));
                }
            }
            if (!parked.isEmpty()) {
                log.info("stopping: {} call(s) in progress handed to the next owner of their node", parked.size());
            }
            return Future.join(parked);
        }).compose(v -> waitUntil(ending::isEmpty, deadline))
                .transform(ar -> ownership.shutdown());
    }

    /** Completes once {@code done} holds or the deadline passed, checking every 100 ms. */
    private Future<Void> waitUntil(BooleanSupplier done, long deadlineNanos) {
        Promise<Void> p = Promise.promise();
        check(done, deadlineNanos, p);
        return p.future();
    }

    private void check(BooleanSupplier done, long deadlineNanos, Promise<Void> p) {
        if (done.getAsBoolean() || System.nanoTime() >= deadlineNanos) {
            p.complete();
        } else {
            vertx.setTimer(100, t -> check(done, deadlineNanos, p));
        }
    }

    private boolean allPastRouting() {
        for (InFlight f : byChannel.values()) {
            if (!legBRouted.test(f.callback().id(), f.attempt().number())) {
                return false;
            }
        }
        return true;
    }

    /** The node ownership of this instance (for the nodes API). */
    public NodeOwnership ownership() {
        return ownership;
    }

    /** The callback of an attempt this instance dials, for the FastAGI route lookup. */
    public Optional<Callback> inFlight(String callbackId) {
        return Optional.ofNullable(inFlightCallbacks.get(callbackId));
    }

    /** Called on this verticle's context whenever an attempt ends, whoever started it. */
    public void onAttemptEnded(Handler<AttemptResult> h) {
        endedHandlers.add(h);
    }

    public int inFlightCount() {
        return byChannel.size();
    }

    /** Leases this instance holds (attempts set up, running, ending or being reconciled). */
    public int heldCount() {
        return fences.size();
    }

    /**
     * Holds new calls back while {@code busy} says so: for parts this instance serves the calls with,
     * which fall behind before the dispatcher sees it (the FastAGI server's open sessions).
     */
    public void pauseWhile(String reason, BooleanSupplier busy) {
        pauseSignals.put(reason, busy);
    }

    // ---------------------------------------------------------------- claiming

    private void tick() {
        if (claiming || stopping) {
            return;
        }
        claimParked();
        if (behind()) {
            return;
        }
        int free = freeSlots();
        if (free <= 0) {
            return;
        }
        int max = Math.min(free, cfg.claimBatch());
        claiming = true;
        queue.claim(max, cfg.leaseTtl(), owner)
                .onSuccess(claims -> metrics.claimed(claims.size()))
                .compose(this::handle)
                .onComplete(ar -> {
                    claiming = false;
                    if (ar.failed()) {
                        log.warn("claim failed: {}", ar.cause().toString());
                    } else if (ar.result() == max) {
                        // a full batch: more may be due, don't wait for the next poll
                        context.runOnContext(v -> tick());
                    }
                });
    }

    /** True while a pause signal holds (see {@link #MAX_LAG_MS}); logs a pause once, at most every 10 s. */
    private boolean behind() {
        String why = null;
        for (Map.Entry<String, BooleanSupplier> e : pauseSignals.entrySet()) {
            if (e.getValue().getAsBoolean()) {
                why = e.getKey();
                break;
            }
        }
        long now = System.nanoTime() / 1_000_000;
        if (why != null && !paused && now - pauseLoggedAt >= 10_000) {
            pauseLoggedAt = now;
            log.warn("dispatch paused: {}; due callbacks wait in the queue", why);
        }
        if (why != null && !paused) {
            metrics.dispatchPaused(why);
        }
        paused = why != null;
        return paused;
    }

    /** Callbacks parked for nodes this instance owns: their attempts are reconciled here, not dialed. */
    private void claimParked() {
        List<String> owned = ownership.owned();
        if (claimingParked || owned.isEmpty()) {
            return;
        }
        claimingParked = true;
        queue.claimParked(owned, cfg.claimBatch(), cfg.leaseTtl(), owner)
                .compose(this::handle)
                .onComplete(ar -> {
                    claimingParked = false;
                    if (ar.failed()) {
                        log.warn("claim of parked callbacks failed: {}", ar.cause().toString());
                    }
                });
    }

    /** What this instance's owned nodes can dial now (lease valid), minus what is being set up. */
    private int freeSlots() {
        int free = 0;
        for (PbxNode n : cluster.nodes()) {
            if (ownership.leaseValid(n.id())) {
                free += Math.max(0, n.dialableNow() - reserved.getOrDefault(n.id(), 0));
            }
        }
        return free;
    }

    /** The least loaded owned node that can dial now, counting slots already promised. */
    private PbxNode chooseNode() {
        return cluster.pick(n -> ownership.leaseValid(n.id()) ? n.dialableNow() : 0,
                n -> reserved.getOrDefault(n.id(), 0)).orElse(null);
    }

    private Future<Integer> handle(List<Claim> claims) {
        if (claims.isEmpty()) {
            return Future.succeededFuture(0);
        }
        List<Claim> fresh = new ArrayList<>();
        for (Claim c : claims) {
            if (ending.contains(c.id()) || releasing.contains(c.id())) {
                // its end or release is on its way (with the old fence, which the queue now refuses)
                deferred.put(c.id(), c);
                continue;
            }
            boolean ours = fences.containsKey(c.id());
            fences.put(c.id(), c.fence());
            if (ours || inFlightCallbacks.containsKey(c.id())) {
                // our own callback came back through the queue (our lease ran out: a stall, a Redis
                // outage): its attempt or reconciliation goes on here with the new fencing token
                CallMdc.log(c.id(), null, null, null,
                        () -> log.info("re-claimed {} which this instance still runs; keeping it", c.id()));
            } else if (c.hasInflight()) {
                reconciler.reconcile(c);
            } else {
                fresh.add(c);
            }
        }
        if (fresh.isEmpty()) {
            return Future.succeededFuture(claims.size());
        }
        return store.findAll(fresh.stream().map(Claim::id).toList()).transform(ar -> {
            if (ar.failed()) {
                // not "not found": MariaDB did not answer; back to the queue, nothing was done
                log.warn("reading {} claimed callbacks failed ({}); they are due again shortly", fresh.size(),
                        ar.cause().toString());
                for (Claim c : fresh) {
                    putBack(c.id(), c.priority(), NOT_STARTED_DELAY);
                }
                return Future.succeededFuture(claims.size());
            }
            for (Claim c : fresh) {
                Callback cb = ar.result().get(c.id());
                if (cb == null) {
                    log.warn("claimed callback {} is not in MariaDB; dropping it from the queue", c.id());
                    release(c.id(), fence -> queue.ack(c.id(), owner, fence));
                } else if (cb.state().isFinal()) {
                    release(c.id(), fence -> queue.ack(c.id(), owner, fence));
                } else if (cb.state() == CallState.DIALING) {
                    // MariaDB saw an attempt start that Redis does not know of: find out what became of it
                    reconciler.reconcile(c, cb);
                } else {
                    admit(cb, c.priority());
                }
            }
            return Future.succeededFuture(claims.size());
        });
    }

    // ---------------------------------------------------------------- one attempt

    /** Asks the gate about a claimed QUEUED callback, then dials it, puts it back or ends it. */
    private void admit(Callback cb, int priority) {
        gate.check(cb, clock.instant()).onComplete(ar -> {
            if (!fences.containsKey(cb.id())) {
                return;
            }
            if (ar.failed()) {
                // not "no": the answer could not be had; nothing was dialed
                CallMdc.log(cb.id(), null, null, null, () -> log.warn("could not check {} before dialing ({}); "
                        + "due again shortly", cb.id(), ar.cause().toString()));
                putBack(cb.id(), priority, NOT_STARTED_DELAY);
            } else if (ar.result() instanceof DialGate.Verdict.Wait w) {
                CallMdc.log(cb.id(), null, null, null, () -> log.info("{} waits until {}: {}", cb.id(), w.until(),
                        w.reason()));
                putBack(cb.id(), priority, delayUntil(w.until(), clock.instant()));
            } else if (ar.result() instanceof DialGate.Verdict.End e) {
                CallMdc.log(cb.id(), null, null, null, () -> log.info("{} ends {} undialed: {}", cb.id(),
                        e.state().wire(), e.reason()));
                store.transition(cb.id(), CallState.QUEUED, e.state(), cb.attempts(), null, e.reason())
                        .onComplete(moved -> {
                            if (moved.failed()) {
                                putBack(cb.id(), priority, NOT_STARTED_DELAY);
                            } else if (moved.result()) {
                                release(cb.id(), fence -> queue.ack(cb.id(), owner, fence));
                            } else {
                                // it moved on meanwhile (cancelled): the next claim reads what it is now
                                putBack(cb.id(), priority, Duration.ZERO);
                            }
                        });
            } else {
                startAttempt(cb, priority);
            }
        });
    }

    /** Starts the next attempt of a QUEUED callback this instance holds the lease of. */
    void startAttempt(Callback cb, int priority) {
        Long fence = fences.get(cb.id());
        if (fence == null) {
            return;
        }
        PbxNode node = stopping ? null : chooseNode();
        if (node == null) {
            // capacity went away between claim and now (or we stop): back, due now, same priority
            putBack(cb.id(), priority, Duration.ZERO);
            return;
        }
        reserved.merge(node.id(), 1, Integer::sum);
        int number = cb.attempts() + 1;
        Instant now = clock.instant();
        Attempt attempt = Attempt.started(cb.id(), number, node.id(), now);
        InFlight f = new InFlight(cb.as(CallState.DIALING, number, now), attempt);
        queue.markDialing(cb.id(), owner, fence, number, node.id(), attempt.channelId(), now,
                        ownership.token(node.id()))
                .compose(marked -> {
                    if (marked == MarkResult.LEASE_LOST) {
                        fences.remove(cb.id());
                        CallMdc.log(cb.id(), number, node.id(), null, () -> log.info(
                                "lost the lease of {} before dialing; another instance has it", cb.id()));
                        return Future.succeededFuture(false);
                    }
                    if (marked == MarkResult.NODE_REFUSED) {
                        // drained, or no longer ours: nothing was recorded or dialed
                        putBack(cb.id(), priority, Duration.ZERO);
                        return Future.succeededFuture(false);
                    }
                    // the attempt's record and QUEUED -> DIALING: one transaction, group-committed
                    return store.startAttempt(attempt, CallState.QUEUED, CallState.DIALING, cb.dueAt(),
                            "attempt " + number + " on " + node.id()).transform(started -> {
                                if (started.failed()) {
                                    // it may have committed all the same (the answer was lost): take it back
                                    // for sure, so that it is neither dialed nor counted
                                    CallMdc.log(cb.id(), number, node.id(), attempt.channelId(), () -> log.warn(
                                            "could not record attempt {} of {} ({}); not dialed", number, cb.id(),
                                            started.cause().toString()));
                                    takeBack(f, started.cause().toString(), priority);
                                    return Future.succeededFuture(false);
                                }
                                if (!started.result()) {
                                    // left QUEUED meanwhile (cancelled), or this attempt started already (a
                                    // claim made again after a Redis failover lost the first): the next
                                    // claim reads what it is now
                                    putBack(cb.id(), priority, Duration.ZERO);
                                    return Future.succeededFuture(false);
                                }
                                return Future.succeededFuture(true);
                            });
                }, e -> {
                    // the mark's answer is unknown: back to the queue; if the mark was made, the next
                    // claim finds no attempt row and dials it without counting
                    putBack(cb.id(), priority, NOT_STARTED_DELAY);
                    return Future.succeededFuture(false);
                })
                .compose(recorded -> {
                    if (!recorded) {
                        return Future.succeededFuture();
                    }
                    track(f);
                    if (stopping || !ownership.leaseValid(node.id())) {
                        return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT,
                                stopping ? "this instance is stopping" : "the lease of " + node.id() + " ran out"));
                    }
                    return node.originate(new OriginateRequest(cb.id(), number, attempt.channelId(),
                            cfg.context(), cfg.connectContext(), cfg.originateTimeout(), cb.callerId(),
                            agiAddresses(), attempt.memoKey(), cb.confirm(), maxCallSeconds));
                })
                .onComplete(ar -> {
                    reserved.merge(node.id(), -1, Integer::sum);
                    if (ar.succeeded()) {
                        if (byChannel.containsKey(attempt.channelId())) {
                            metrics.originate(node.id(), "sent");
                            if (cb.dueAt() != null) {
                                metrics.dueToOriginate(Duration.between(cb.dueAt(), clock.instant()));
                            }
                        }
                        return;
                    }
                    Throwable t = ar.cause();
                    metrics.originate(node.id(), t instanceof OriginateException oe0 && oe0.resultFollows()
                            ? "unanswered" : "not_sent");
                    if (t instanceof OriginateException oe && oe.resultFollows()) {
                        // rejected, timed out or cut off: the call may still be up, and the node
                        // reports the attempt's end later; finishing it now could dial it twice
                        CallMdc.log(cb.id(), number, node.id(), attempt.channelId(), () -> log.warn(
                                "originate of {} on {}: {}; waiting for its result", attempt.channelId(),
                                node.id(), t.getMessage()));
                    } else if (byChannel.containsKey(attempt.channelId())) {
                        CallMdc.log(cb.id(), number, node.id(), attempt.channelId(), () -> log.info(
                                "originate of {} on {} not sent: {}", attempt.channelId(), node.id(), t.getMessage()));
                        forgetRunning(f);
                        takeBack(f, t.getMessage(), priority);
                    }
                });
    }

    /** This instance's FastAGI address first, then other live instances': the dialplan falls back on them. */
    private List<String> agiAddresses() {
        List<String> all = new ArrayList<>(AGI_ADDRESSES);
        all.add(agiAddress);
        for (String peer : ownership.peerAgiAddresses()) {
            if (all.size() == AGI_ADDRESSES) {
                break;
            }
            if (!all.contains(peer)) {
                all.add(peer);
            }
        }
        return all;
    }

    /**
     * The Originate never reached the node (the node's rate was lowered meanwhile, it disconnected, this
     * instance is stopping, MariaDB's answer to the start was lost): the attempt is taken back in MariaDB
     * without counting it (a no-op if it was never recorded), and the callback is due again soon.
     * Nothing was dialed, so nothing can be dialed twice.
     */
    private void takeBack(InFlight f, String why, int priority) {
        String id = f.callback().id();
        ending.add(id);
        persistently("taking back attempt " + f.attempt().number() + " of " + id,
                () -> store.attemptNotSent(f.attempt(), why))
                .onComplete(ar -> {
                    // released before the deferred claim (if any) is looked at
                    putBack(id, priority, NOT_STARTED_DELAY);
                    settled(id, ending);
                });
    }

    private void onResult(AttemptResult r) {
        InFlight f = byChannel.get(r.channelId());
        if (f == null) {
            // a previous owner's call, adopted by the node at login: kept for its parked claim
            log.debug("result for a channel this instance does not run: {}", r.channelId());
            unclaimedResults.put(r.channelId(), r);
            return;
        }
        if (r.observed()) {
            end(f, Verdicts.seen(r));
        } else {
            reconciler.resolveUnseen(f, r);
        }
    }

    // ---------------------------------------------------------------- the one way an attempt ends

    /**
     * Ends an attempt: its end and the callback's move in MariaDB (one step, retried until it commits),
     * then the Redis ack or retry (while the lease is this instance's), with the handlers told once the
     * end is recorded. {@code v} null: the attempt's end is in MariaDB already (a previous owner recorded
     * it and died before the queue step); the recorded end decides.
     *
     * <p>The recorded end wins: MariaDB keeps the first end of an attempt and moves a callback only
     * from DIALING, so when the move does not happen (the callback moved on already) the queue step
     * follows what MariaDB holds, read again, never this verdict.
     */
    void end(InFlight f, Verdicts.Verdict v) {
        Callback cb = f.callback();
        Attempt attempt = f.attempt();
        forgetRunning(f);
        ending.add(cb.id());
        Instant now = clock.instant();
        Attempt done = v == null ? attempt : attempt.ended(v.endedAt() == null ? now : v.endedAt(), v.outcome(),
                v.failedLeg(), v.hangupCause(), v.detail());
        if (v != null && v.answeredAt() != null && attempt.answeredAt() == null) {
            done = done.answered(v.answeredAt());
        }
        if (v != null && !v.known()) {
            CallMdc.log(cb.id(), attempt.number(), attempt.nodeId(), attempt.channelId(),
                    () -> log.warn("attempt {} of {} on {}: {}", attempt.number(), cb.id(), attempt.nodeId(), v.detail()));
        }
        Attempt recorded = done;
        Callback at = cb.as(cb.state(), Math.max(cb.attempts(), attempt.number()), cb.updatedAt());
        RetryPolicy.Decision d = policy.decide(at, attempt.number(), recorded.outcome(), recorded.failedLeg(),
                recorded.hangupCause(), now);
        CallState to = d instanceof RetryPolicy.Decision.Retry ? CallState.QUEUED
                : d instanceof RetryPolicy.Decision.Complete ? CallState.COMPLETED
                : d instanceof RetryPolicy.Decision.Expire ? CallState.EXPIRED : CallState.FAILED;
        Instant retryAt = d instanceof RetryPolicy.Decision.Retry r ? r.at() : null;
        String detail = "attempt " + attempt.number() + ": " + recorded.outcome().wire()
                + (d instanceof RetryPolicy.Decision.Expire e ? "; expired: " + e.reason() : "");
        CallMdc.log(cb.id(), attempt.number(), attempt.nodeId(), attempt.channelId(),
                () -> log.info("attempt {} of {} on {} ended {}{}: {}", attempt.number(), cb.id(), attempt.nodeId(),
                        recorded.outcome().wire(), recorded.failedLeg() == null ? "" : " (leg " + recorded.failedLeg()
                                .name().toLowerCase() + ")", to.name().toLowerCase()));
        persistently("recording the end of " + attempt.channelId(),
                () -> store.endAttempt(recorded, CallState.DIALING, to, retryAt, detail))
                .compose(moved -> {
                    tell(recorded, v == null || v.known());
                    if (moved) {
                        return Future.succeededFuture(new QueueStep(to, retryAt));
                    }
                    // the callback had moved on already: follow what MariaDB holds
                    return persistently("reading " + cb.id(), () -> store.find(cb.id()))
                            .map(now2 -> now2.map(c -> new QueueStep(c.state(), c.dueAt()))
                                    .orElse(new QueueStep(CallState.FAILED, null)));
                })
                .compose(step -> redisPersistently(cb.id(), step.toQueue(this, cb)))
                .onComplete(ar -> {
                    fences.remove(cb.id());
                    settled(cb.id(), ending);
                });
    }

    /** {@code id} left {@code set} (ending, releasing): a claim that came meanwhile is handled now. */
    private void settled(String id, Set<String> set) {
        set.remove(id);
        Claim c = deferred.remove(id);
        if (c != null) {
            handle(List.of(c));
        }
    }

    /** The queue step that follows a callback's recorded state. */
    private record QueueStep(CallState state, Instant dueAt) {
        LongFunction<Future<Boolean>> toQueue(Dispatcher d, Callback cb) {
            return switch (state) {
                case QUEUED -> fence -> d.queue.retry(cb.id(), d.owner, fence, cb.priority(),
                        delayUntil(dueAt, d.clock.instant()));
                // still DIALING with this attempt recorded as ended: due now, the next claim reconciles
                case DIALING -> fence -> d.queue.retry(cb.id(), d.owner, fence, cb.priority(), Duration.ZERO);
                default -> fence -> d.queue.ack(cb.id(), d.owner, fence);
            };
        }
    }

    private void tell(Attempt a, boolean observed) {
        AttemptResult result = new AttemptResult(a.channelId(), a.callbackId(), a.number(), a.nodeId(),
                a.outcome(), a.failedLeg(), a.hangupCause(), a.answeredAt(), a.endedAt(), a.detail(), observed);
        for (Handler<AttemptResult> h : endedHandlers) {
            try {
                h.handle(result);
            } catch (RuntimeException e) {
                log.warn("attempt-ended handler failed: {}", e.toString());
            }
        }
    }

    private static Duration delayUntil(Instant at, Instant now) {
        if (at == null || !at.isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(now, at);
    }

    /**
     * Runs a MariaDB step until it commits, backing off: a result is never thrown away because MariaDB
     * is away for a while (the lease is renewed meanwhile). A step the store refuses as invalid is not
     * retried. Timers end with the verticle.
     */
    <T> Future<T> persistently(String what, Supplier<Future<T>> write) {
        Promise<T> p = Promise.promise();
        persist(what, write, p, WRITE_RETRY_FIRST_MS);
        return p.future();
    }

    private <T> void persist(String what, Supplier<Future<T>> write, Promise<T> p, long delay) {
        write.get().onComplete(ar -> {
            if (ar.succeeded()) {
                p.complete(ar.result());
            } else if (ar.cause() instanceof IllegalArgumentException) {
                p.fail(ar.cause());
            } else {
                log.warn("{} failed ({}); retrying in {} ms", what, ar.cause().toString(), delay);
                vertx.setTimer(delay, t -> persist(what, write, p, Math.min(WRITE_RETRY_MAX_MS, delay * 2)));
            }
        });
    }

    /**
     * A Redis step of a callback this instance holds, with its current fence, retried while Redis does
     * not answer; a step the queue refuses (the lease is someone else's now) is not retried: its new
     * holder reconciles from what MariaDB holds.
     */
    private Future<Void> redisPersistently(String id, LongFunction<Future<Boolean>> step) {
        return persistently("queue step of " + id, () -> {
            Long fence = fences.get(id);
            return fence == null ? Future.succeededFuture(true) : step.apply(fence);
        }).map(done -> {
            if (!done) {
                CallMdc.log(id, null, null, null, () -> log.info(
                        "{}: the lease was lost before the queue step; its new holder reconciles it", id));
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- leases held

    /** Back to the queue due after {@code delay}, same priority; the lease is given up. */
    void putBack(String id, int priority, Duration delay) {
        release(id, fence -> queue.retry(id, owner, fence, priority, delay));
    }

    /** Parks a callback for the owner of its in-flight attempt's node; the lease is given up. */
    void park(String id) {
        release(id, fence -> queue.park(id, owner, fence));
    }

    /**
     * Runs the last queue step of a claim and gives its lease up at once, whatever the step answers: if
     * it fails, the lease runs out and the reaper returns the callback to the queue (in-flight info kept).
     */
    void release(String id, LongFunction<Future<Boolean>> step) {
        Long fence = fences.remove(id);
        if (fence == null) {
            return;
        }
        releasing.add(id);
        step.apply(fence).onComplete(ar -> {
            if (ar.failed()) {
                CallMdc.log(id, null, null, null, () -> log.warn("queue step of {} failed: {}", id,
                        ar.cause().toString()));
            }
            settled(id, releasing);
        });
    }

    String owner() {
        return owner;
    }

    boolean holds(String id) {
        return fences.containsKey(id);
    }

    boolean stopping() {
        return stopping;
    }

    /** An attempt this instance follows to its end from now on. */
    void track(InFlight f) {
        byChannel.put(f.attempt().channelId(), f);
        inFlightCallbacks.put(f.callback().id(), f.callback());
    }

    private void forgetRunning(InFlight f) {
        byChannel.remove(f.attempt().channelId());
        inFlightCallbacks.remove(f.callback().id());
    }

    boolean runs(String channelId) {
        return byChannel.containsKey(channelId);
    }

    /** A result the node reported for a channel this instance did not run then, if any. */
    AttemptResult takeUnclaimed(String channelId) {
        return unclaimedResults.remove(channelId);
    }

    Future<Void> later(long ms) {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(ms, t -> p.complete());
        return p.future();
    }

    /** This instance lost the node: its attempts there go to the next owner, who adopts them. */
    private void abandon(String node) {
        for (InFlight f : List.copyOf(byChannel.values())) {
            if (node.equals(f.attempt().nodeId())) {
                forgetRunning(f);
                String id = f.callback().id();
                CallMdc.log(id, f.attempt().number(), node, f.attempt().channelId(), () -> log.info(
                        "attempt {} of {} handed to the next owner of {}", f.attempt().number(), id, node));
                park(id);
            }
        }
    }

    /** Attempts being set up or running on the node. */
    private int busyOn(String node) {
        int n = reserved.getOrDefault(node, 0);
        for (InFlight f : byChannel.values()) {
            if (node.equals(f.attempt().nodeId())) {
                n++;
            }
        }
        return n;
    }

    private void renew() {
        if (fences.isEmpty()) {
            return;
        }
        Map<String, Long> held = Map.copyOf(fences);
        queue.renew(held, owner, cfg.leaseTtl()).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("lease renewal failed: {}", ar.cause().toString());
                return;
            }
            Set<String> lost = ar.result();
            if (!lost.isEmpty()) {
                // whoever holds them now reconciles (a running call comes back here through its node)
                log.warn("{} of {} leases were lost to another instance", lost.size(), held.size());
            }
        });
    }

    private void reap() {
        if (stopping) {
            return;
        }
        queue.reap().onComplete(ar -> {
            if (ar.succeeded() && ar.result() > 0) {
                log.info("{} expired leases returned to the queue", ar.result());
            }
        });
    }

    private void releaseOrphans() {
        if (stopping) {
            return;
        }
        queue.releaseOrphans(cfg.unreachableTimeout()).onComplete(ar -> {
            if (ar.succeeded() && ar.result() > 0) {
                log.warn("{} callback(s) parked for nodes nobody drove for {} returned to the queue", ar.result(),
                        cfg.unreachableTimeout());
            }
        });
    }
}
