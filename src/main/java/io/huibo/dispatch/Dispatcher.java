package io.huibo.dispatch;

import io.huibo.cluster.NodeOwnership;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.pbx.PbxNode;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.LiveChannel;
import io.huibo.pbx.OriginateException;
import io.huibo.pbx.OriginateRequest;
import io.huibo.pbx.PbxCluster;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.Claim;
import io.huibo.queue.MarkResult;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import java.time.Clock;
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
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls due callbacks from the shared queue, up to what the nodes can dial now, and runs each
 * attempt to its end: node choice, Originate, outcome, retry or finish.
 *
 * <p>All state lives on this verticle's event loop. Durable order for every step is MariaDB first
 * (the record of truth), Redis second (the schedule and the lease): a crash between the two leaves a
 * lease that expires, and the next owner finds the step recorded in MariaDB and finishes it. An
 * attempt is marked in Redis (ChannelId and node) before its Originate is sent, so whoever holds the
 * callback next asks the node about that channel instead of dialing again.
 *
 * <p>Several instances: each drives only the nodes it owns ({@link NodeOwnership}), claims only as
 * many callbacks as those can dial now (free slots, not draining, within the Originate rate), and
 * marks every attempt with the node's fencing token, so a node it lost refuses the mark.
 *
 * <p>In-flight attempts across instances. An attempt's channel lives on one node, and only that node's
 * owner has an AMI connection to ask about it, so reconciliation always happens at the node's owner:
 * <ul>
 *   <li>an instance dies: its callbacks' leases expire and {@code reapToNodes} parks every callback
 *       with an attempt in flight on node N in {@code parked:N}; only N's owner claims from there
 *       ({@code claimParked} checks the node lease). N's lease expires too and a survivor takes N;
 *       at its login the AMI node adopts every live Huibo channel it does not know (so slots are
 *       counted right and the call's end is reported). When the parked claim arrives, a live call is
 *       adopted, a call that ended since is finished with the result that was reported
 *       ({@code unclaimedResults}), and only a call nobody saw end is recorded as failed with an
 *       unknown outcome and retried by the policy: by then it is certainly not up any more.</li>
 *   <li>a claim reaches an instance that does not own the attempt's node (an older reaper, a resync,
 *       a node taken over meanwhile): it does not ask, does not dial, and parks it for the owner.</li>
 *   <li>this instance loses a node while attempts run there: they are parked at once for the new
 *       owner, who adopts them; a node given up in balance or shutdown is given up only when idle,
 *       and a shutdown parks what still runs.</li>
 *   <li>the owner is not connected to the node (it is down): the claim is held and asked again later;
 *       nothing is dialed while the call may be up.</li>
 * </ul>
 */
public final class Dispatcher extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final long RECONCILE_RETRY_MS = 2000;
    /**
     * Past this lag (this verticle's event loop, or the AMI events of any node) the instance is not
     * keeping up with the calls it has: it claims nothing new until it catches up. Without it an
     * overloaded instance keeps dialing up to the nodes' channel limits, its heap fills with calls it
     * cannot serve, and asterisk-java's bounded event queue starts dropping events (a lost Hangup is a
     * call that never ends). Due callbacks wait in Redis meanwhile, where they cost nothing.
     */
    static final long MAX_LAG_MS = 250;
    private static final long HEARTBEAT_MS = 50;

    /** An attempt this instance is running on a node. */
    private record InFlight(Callback callback, Attempt attempt) {
    }

    private final CallbackQueue queue;
    private final CallbackStore store;
    private final PbxCluster cluster;
    private final RetryPolicy policy;
    private final HuiboConfig.Dispatch cfg;
    private final String owner;
    private final String agiAddress;
    private final String ringTimeoutSeconds;
    private final Clock clock;
    private final NodeOwnership ownership;

    private final Map<String, InFlight> byChannel = new HashMap<>();
    /**
     * Results of attempts this instance did not run (a previous owner's calls, adopted by the AMI node
     * at login), kept until the callback's parked claim arrives here. Bounded, oldest first out.
     */
    private final Map<String, AttemptResult> unclaimedResults = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AttemptResult> e) {
            return size() > 10_000;
        }
    };
    /** Read by the FastAGI route lookup from other event loops, hence concurrent. */
    private final Map<String, Callback> inFlightCallbacks = new ConcurrentHashMap<>();
    /** Callbacks claimed and held while an attempt is being set up or reconciled. */
    private final Set<String> held = new HashSet<>();
    /** Slots promised to attempts whose Originate has not been acknowledged yet, per node. */
    private final Map<String, Integer> reserved = new HashMap<>();
    private final List<Handler<AttemptResult>> endedHandlers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What holds new calls back while it says so (see {@link #pauseWhile}), by the reason logged. */
    private final Map<String, BooleanSupplier> pauseSignals = new ConcurrentHashMap<>();
    private boolean claiming;
    private boolean stopping;
    private long heartbeatAt;
    private long loopLagMillis;
    private boolean paused;
    private long pauseLoggedAt = Long.MIN_VALUE / 2;

    public Dispatcher(CallbackQueue queue, CallbackStore store, PbxCluster cluster, RetryPolicy policy,
                      HuiboConfig.Dispatch cfg, String owner, String agiAddress, Clock clock,
                      NodeOwnership ownership) {
        this.ownership = ownership;
        this.queue = queue;
        this.store = store;
        this.cluster = cluster;
        this.policy = policy;
        this.cfg = cfg;
        this.owner = owner;
        this.agiAddress = agiAddress;
        this.ringTimeoutSeconds = String.valueOf(Math.max(1, cfg.originateTimeout().toSeconds()));
        this.clock = clock;
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
        long renewEvery = Math.max(100, cfg.leaseTtl().toMillis() / 3);
        vertx.setPeriodic(renewEvery, id -> renew());
        vertx.setPeriodic(Math.max(200, cfg.leaseTtl().toMillis() / 4), id -> reap());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        // In-flight attempts are handed to the next owner of their node (parked), then the nodes are
        // given up, so a survivor takes them and adopts the calls without waiting for any lease.
        stopping = true;
        List<Future<?>> parked = new ArrayList<>();
        for (InFlight f : List.copyOf(byChannel.values())) {
            parked.add(queue.park(f.callback().id(), owner, clock.instant()));
        }
        byChannel.clear();
        inFlightCallbacks.clear();
        return Future.join(parked).transform(ar -> ownership.shutdown());
    }

    /** The node ownership of this instance (for the nodes API). */
    public NodeOwnership ownership() {
        return ownership;
    }

    /** The callback and attempt of a channel this instance dials, for the FastAGI route lookup. */
    public Optional<Callback> inFlight(String callbackId) {
        return Optional.ofNullable(inFlightCallbacks.get(callbackId));
    }

    /** Called on this verticle's context whenever an attempt this instance ran has ended. */
    public void onAttemptEnded(Handler<AttemptResult> h) {
        endedHandlers.add(h);
    }

    public int inFlightCount() {
        return byChannel.size();
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
        queue.claim(max, cfg.leaseTtl(), owner, clock.instant())
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

    /**
     * Holds new calls back while {@code busy} says so: for parts this instance serves the calls with,
     * which fall behind before the dispatcher sees it (the FastAGI server's open sessions).
     */
    public void pauseWhile(String reason, BooleanSupplier busy) {
        pauseSignals.put(reason, busy);
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
        long now = System.currentTimeMillis();
        if (why != null && !paused && now - pauseLoggedAt >= 10_000) {
            pauseLoggedAt = now;
            log.warn("dispatch paused: {}; due callbacks wait in the queue", why);
        }
        paused = why != null;
        return paused;
    }

    private boolean claimingParked;

    /** Callbacks parked for nodes this instance owns: their attempts are reconciled here, not dialed. */
    private void claimParked() {
        List<String> owned = ownership.owned();
        if (claimingParked || owned.isEmpty()) {
            return;
        }
        claimingParked = true;
        queue.claimParked(owned, cfg.claimBatch(), cfg.leaseTtl(), owner, clock.instant())
                .compose(this::handle)
                .onComplete(ar -> {
                    claimingParked = false;
                    if (ar.failed()) {
                        log.warn("claim of parked callbacks failed: {}", ar.cause().toString());
                    }
                });
    }

    /** What this instance's owned nodes can dial now, minus what is being set up. */
    private int freeSlots() {
        int free = 0;
        for (PbxNode n : cluster.nodes()) {
            if (ownership.owns(n.id())) {
                free += Math.max(0, n.dialableNow() - reserved.getOrDefault(n.id(), 0));
            }
        }
        return free;
    }

    /** The least loaded owned node that can dial now, counting slots already promised. */
    private PbxNode chooseNode() {
        return cluster.pick(n -> ownership.owns(n.id()) ? n.dialableNow() : 0,
                n -> reserved.getOrDefault(n.id(), 0)).orElse(null);
    }

    private Future<Integer> handle(List<Claim> claims) {
        if (claims.isEmpty()) {
            return Future.succeededFuture(0);
        }
        List<String> fresh = new ArrayList<>();
        for (Claim c : claims) {
            held.add(c.id());
            if (c.hasInflight()) {
                reconcile(c);
            } else {
                fresh.add(c.id());
            }
        }
        if (fresh.isEmpty()) {
            return Future.succeededFuture(claims.size());
        }
        Map<String, Claim> byId = new HashMap<>();
        claims.forEach(c -> byId.put(c.id(), c));
        return store.findAll(fresh).map(found -> {
            for (String id : fresh) {
                Callback cb = found.get(id);
                Claim c = byId.get(id);
                if (cb == null) {
                    log.warn("claimed callback {} is not in MariaDB; dropping it from the queue", id);
                    release(queue.ack(id, owner), id);
                } else if (cb.state().isFinal()) {
                    release(queue.ack(id, owner), id);
                } else if (cb.state() == CallState.DIALING) {
                    // MariaDB saw an attempt start that Redis did not record: ask the node about it
                    reconcileFromStore(cb, c);
                } else {
                    startAttempt(cb, c);
                }
            }
            return claims.size();
        });
    }

    private void release(Future<?> f, String id) {
        f.onComplete(ar -> held.remove(id));
    }

    // ---------------------------------------------------------------- one attempt

    private void startAttempt(Callback cb, Claim claim) {
        PbxNode node = chooseNode();
        if (node == null) {
            // capacity went away between claim and now: put it back, due now, same priority
            release(queue.retry(cb.id(), owner, cb.priority(), clock.instant()), cb.id());
            return;
        }
        reserved.merge(node.id(), 1, Integer::sum);
        int number = cb.attempts() + 1;
        Instant now = clock.instant();
        Attempt attempt = Attempt.started(cb.id(), number, node.id(), now);
        Callback dialing = cb.as(CallState.DIALING, number, now);
        queue.markDialingOnNode(cb.id(), owner, number, node.id(), attempt.channelId(), ownership.token(node.id()))
                .compose(marked -> {
                    if (marked == MarkResult.LEASE_LOST) {
                        return Future.failedFuture(new LostLease(cb.id()));
                    }
                    if (marked == MarkResult.NODE_REFUSED) {
                        return Future.failedFuture(new NodeRefused(node.id()));
                    }
                    // the attempt's record and QUEUED -> DIALING: one transaction, group-committed
                    return store.startAttempt(attempt, CallState.QUEUED, CallState.DIALING, cb.dueAt(),
                            "attempt " + number + " on " + node.id());
                })
                .compose(moved -> {
                    if (!moved) {
                        return Future.failedFuture(new IllegalStateException(
                                "callback " + cb.id() + " left QUEUED before attempt " + number));
                    }
                    track(new InFlight(dialing, attempt));
                    held.remove(cb.id());
                    return node.originate(new OriginateRequest(cb.id(), number, attempt.channelId(),
                            cfg.context(), cfg.connectContext(), cfg.originateTimeout(), cb.callerId(),
                            List.of(agiAddress), attempt.memoKey(), cb.confirm()));
                })
                .onComplete(ar -> {
                    reserved.merge(node.id(), -1, Integer::sum);
                    if (ar.succeeded()) {
                        return;
                    }
                    Throwable t = ar.cause();
                    if (t instanceof LostLease) {
                        log.info("lost the lease of {} before dialing; another instance has it", cb.id());
                        held.remove(cb.id());
                    } else if (t instanceof NodeRefused) {
                        // drained, or no longer ours: nothing was recorded or dialed; due again now
                        release(queue.retry(cb.id(), owner, cb.priority(), clock.instant()), cb.id());
                    } else if (t instanceof OriginateException oe && oe.resultFollows()) {
                        // rejected, timed out or cut off: the call may still be up, and the node
                        // reports the attempt's end later; finishing it now could dial it twice
                        log.warn("originate of {} on {}: {}; waiting for its result", attempt.channelId(),
                                node.id(), t.getMessage());
                    } else if (byChannel.containsKey(attempt.channelId())) {
                        // nothing reached the node: the attempt is over
                        log.warn("originate of {} on {} not sent: {}", attempt.channelId(), node.id(), t.getMessage());
                        finish(new AttemptResult(attempt.channelId(), cb.id(), number, node.id(), Outcome.FAILED,
                                Leg.A, null, null, clock.instant(), "originate failed: " + t.getMessage()));
                    } else {
                        log.error("could not start attempt {} of {}: {}", number, cb.id(), t.toString());
                        held.remove(cb.id());
                    }
                });
    }

    private void onResult(AttemptResult r) {
        if (!byChannel.containsKey(r.channelId())) {
            // a previous owner's call, adopted by the node at login: kept for its parked claim
            log.debug("result for a channel this instance does not run: {}", r.channelId());
            unclaimedResults.put(r.channelId(), r);
            return;
        }
        finish(r);
    }

    private void finish(AttemptResult r) {
        InFlight f = byChannel.remove(r.channelId());
        if (f == null) {
            return;
        }
        inFlightCallbacks.remove(f.callback().id());
        for (Handler<AttemptResult> h : endedHandlers) {
            try {
                h.handle(r);
            } catch (RuntimeException e) {
                log.warn("attempt-ended handler failed: {}", e.toString());
            }
        }
        Callback cb = f.callback();
        Attempt ended = f.attempt().ended(r.endedAt() == null ? clock.instant() : r.endedAt(), r.outcome(),
                r.outcome().isSuccess() ? null : r.failedLeg(), r.hangupCause(), r.detail());
        if (r.answeredAt() != null) {
            ended = ended.answered(r.answeredAt());
        }
        held.add(cb.id());
        Attempt toStore = ended;
        store.attemptEnded(toStore)
                .compose(v -> conclude(cb, toStore.number(), r.outcome(), CallState.DIALING))
                .onComplete(ar -> {
                    held.remove(cb.id());
                    if (ar.failed()) {
                        log.error("could not record the end of {}: {}", r.channelId(), ar.cause().toString());
                    }
                });
    }

    /** Applies the retry policy to a callback whose attempt {@code number} ended with {@code outcome}. */
    private Future<Void> conclude(Callback cb, int number, Outcome outcome, CallState from) {
        Instant now = clock.instant();
        RetryPolicy.Decision d = policy.decide(cb, number, outcome, now);
        String detail = "attempt " + number + ": " + outcome.wire();
        if (d instanceof RetryPolicy.Decision.Retry retry) {
            Future<Boolean> moved = from == CallState.QUEUED ? Future.succeededFuture(true)
                    : store.transition(cb.id(), from, CallState.QUEUED, number, retry.at(), detail);
            return moved.compose(ok -> queue.retry(cb.id(), owner, cb.priority(), retry.at())).mapEmpty();
        }
        CallState end = d instanceof RetryPolicy.Decision.Complete ? CallState.COMPLETED : CallState.FAILED;
        Future<Boolean> moved = from == end ? Future.succeededFuture(true)
                : store.transition(cb.id(), from, end, number, cb.dueAt(), detail);
        return moved.compose(ok -> queue.ack(cb.id(), owner)).mapEmpty();
    }

    // ---------------------------------------------------------------- reconciliation

    /** A claim whose previous owner had an attempt in flight: find out what became of it. */
    private void reconcile(Claim c) {
        store.find(c.id()).compose(found -> {
            if (found.isEmpty()) {
                return queue.ack(c.id(), owner).mapEmpty();
            }
            Callback cb = found.get();
            if (cb.state().isFinal()) {
                return queue.ack(c.id(), owner).mapEmpty();
            }
            return store.attempt(c.id(), c.inflightAttempt()).compose(a -> {
                if (a.isPresent() && !a.get().inProgress()) {
                    // the end was recorded; the crash came before the callback moved on
                    Callback at = withAttempts(cb, c.inflightAttempt());
                    return conclude(at, c.inflightAttempt(), a.get().outcome(), cb.state());
                }
                Attempt attempt = a.orElse(new Attempt(c.id(), c.inflightAttempt(), c.inflightNode(),
                        c.inflightChannelId(), clock.instant(), null, null, null, null, null, null));
                return askNode(cb, attempt, c);
            });
        }).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("reconciling {} failed ({}); retrying", c.id(), ar.cause().toString());
                vertx.setTimer(RECONCILE_RETRY_MS, t -> reconcile(c));
            }
        });
    }

    private void reconcileFromStore(Callback cb, Claim c) {
        store.attempt(cb.id(), cb.attempts()).onComplete(ar -> {
            if (ar.succeeded() && ar.result().isPresent()) {
                Attempt a = ar.result().get();
                reconcile(new Claim(c.id(), c.priority(), c.fence(), a.number(), a.nodeId(), a.channelId()));
            } else {
                // DIALING without any attempt row: nothing was sent; dial it
                store.transition(cb.id(), CallState.DIALING, CallState.QUEUED, cb.attempts(), cb.dueAt(),
                                "no attempt was recorded")
                        .onComplete(x -> startAttempt(withState(cb, CallState.QUEUED), c));
            }
        });
    }

    private Future<Void> askNode(Callback cb, Attempt attempt, Claim c) {
        PbxNode node = cluster.node(attempt.nodeId()).orElse(null);
        if (node == null) {
            return lost(cb, attempt, "node " + attempt.nodeId() + " is no longer configured");
        }
        if (!ownership.owns(node.id())) {
            // only the node's owner can ask it (and we must not dial): hand it over
            log.info("attempt {} of {} runs on {}, which another instance drives: parking it there",
                    attempt.number(), cb.id(), node.id());
            return queue.park(cb.id(), owner, clock.instant()).onComplete(ar -> held.remove(cb.id())).mapEmpty();
        }
        AttemptResult known = unclaimedResults.remove(attempt.channelId());
        if (known != null) {
            return finishKnown(cb, attempt, known);
        }
        if (!node.isConnected()) {
            // can't tell yet whether the call is up: keep the lease and ask again later, never redial
            vertx.setTimer(RECONCILE_RETRY_MS, t -> reconcile(c));
            return Future.succeededFuture();
        }
        return node.liveChannels().compose(channels -> {
            LiveChannel live = null;
            for (LiveChannel ch : channels) {
                if (attempt.channelId().equals(ch.uniqueid())) {
                    live = ch;
                }
            }
            if (live == null) {
                AttemptResult seen = unclaimedResults.remove(attempt.channelId());
                if (seen != null) {
                    return finishKnown(cb, attempt, seen);
                }
                return lost(cb, attempt, "not on node " + node.id() + " any more; outcome unknown");
            }
            log.info("adopting live call {} on {}", attempt.channelId(), node.id());
            Callback dialing = withState(withAttempts(cb, attempt.number()), CallState.DIALING);
            track(new InFlight(dialing, attempt));
            held.remove(cb.id());
            node.adopt(attempt.channelId(), cb.id(), attempt.number(), live);
            Future<Void> recorded = store.attemptStarted(attempt);
            if (cb.state() == CallState.QUEUED) {
                recorded = recorded.compose(v -> store.transition(cb.id(), CallState.QUEUED, CallState.DIALING,
                        attempt.number(), cb.dueAt(), "adopted live call on " + node.id())).mapEmpty();
            }
            return recorded;
        });
    }

    /** An attempt another instance started whose end this node reported: finish it with that result. */
    private Future<Void> finishKnown(Callback cb, Attempt attempt, AttemptResult r) {
        log.info("attempt {} of {} ended while unclaimed: {}", attempt.number(), cb.id(), r.outcome().wire());
        Attempt ended = attempt.ended(r.endedAt() == null ? clock.instant() : r.endedAt(), r.outcome(),
                r.outcome().isSuccess() ? null : r.failedLeg(), r.hangupCause(), r.detail());
        if (r.answeredAt() != null) {
            ended = ended.answered(r.answeredAt());
        }
        Attempt toStore = ended;
        CallState from = cb.state();
        return store.attemptStarted(attempt)
                .compose(v -> store.attemptEnded(toStore))
                .compose(v -> from == CallState.QUEUED
                        ? store.transition(cb.id(), CallState.QUEUED, CallState.DIALING, attempt.number(),
                                cb.dueAt(), "attempt " + attempt.number() + " ended unclaimed").mapEmpty()
                        : Future.<Void>succeededFuture())
                .compose(v -> conclude(withAttempts(cb, attempt.number()), attempt.number(), r.outcome(),
                        CallState.DIALING))
                .onComplete(ar -> held.remove(cb.id()));
    }

    /** This instance lost the node: its attempts there go to the next owner, who adopts them. */
    private void abandon(String node) {
        for (InFlight f : List.copyOf(byChannel.values())) {
            if (node.equals(f.attempt().nodeId())) {
                byChannel.remove(f.attempt().channelId());
                inFlightCallbacks.remove(f.callback().id());
                String id = f.callback().id();
                queue.park(id, owner, clock.instant()).onComplete(ar ->
                        log.info("attempt {} of {} handed to the next owner of {}: {}", f.attempt().number(), id,
                                node, ar.succeeded() && ar.result() ? "parked" : "lease already gone"));
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

    private Future<Void> lost(Callback cb, Attempt attempt, String why) {
        log.warn("attempt {} of {}: {}", attempt.number(), cb.id(), why);
        Attempt ended = attempt.ended(clock.instant(), Outcome.FAILED, Leg.A, null, why);
        CallState from = cb.state();
        Future<Void> start = store.attemptStarted(attempt);
        return start.compose(v -> store.attemptEnded(ended))
                .compose(v -> {
                    if (from == CallState.QUEUED) {
                        return store.transition(cb.id(), CallState.QUEUED, CallState.DIALING, attempt.number(),
                                cb.dueAt(), why).mapEmpty();
                    }
                    return Future.succeededFuture();
                })
                .compose(v -> conclude(withAttempts(cb, attempt.number()), attempt.number(), Outcome.FAILED,
                        CallState.DIALING))
                .onComplete(ar -> held.remove(cb.id()));
    }

    // ---------------------------------------------------------------- leases

    private void renew() {
        Set<String> ids = new HashSet<>(held);
        for (InFlight f : byChannel.values()) {
            ids.add(f.callback().id());
        }
        if (ids.isEmpty()) {
            return;
        }
        queue.renew(ids, owner, cfg.leaseTtl(), clock.instant()).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("lease renewal failed: {}", ar.cause().toString());
            } else if (ar.result() < ids.size()) {
                log.warn("{} of {} leases were lost to another instance", ids.size() - ar.result(), ids.size());
            }
        });
    }

    private void reap() {
        if (stopping) {
            return;
        }
        queue.reapToNodes(clock.instant()).onComplete(ar -> {
            if (ar.succeeded() && ar.result() > 0) {
                log.info("{} expired leases returned to the queue", ar.result());
            }
        });
    }

    private void track(InFlight f) {
        byChannel.put(f.attempt().channelId(), f);
        inFlightCallbacks.put(f.callback().id(), f.callback());
    }

    private static Callback withAttempts(Callback cb, int attempts) {
        return cb.as(cb.state(), attempts, cb.updatedAt());
    }

    private static Callback withState(Callback cb, CallState state) {
        return cb.as(state, cb.attempts(), cb.updatedAt());
    }

    private static final class NodeRefused extends RuntimeException {
        NodeRefused(String node) {
            super("node " + node + " refused the attempt", null, false, false);
        }
    }

    private static final class LostLease extends RuntimeException {
        LostLease(String id) {
            super("lease of " + id + " lost", null, false, false);
        }
    }
}
