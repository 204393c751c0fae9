package io.huibo.pbx;

import io.huibo.config.NodeConfig;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A PBX node in memory, for in-process tests of the dispatcher and node ownership: the test decides
 * what the node does with each Originate (answer, bridge, end with an outcome, vanish unseen), whether
 * it is reachable, and what it remembers of an attempt. Like the real node it keeps its state on a
 * Vert.x context of its own and answers on the caller's.
 */
public final class FakePbxNode implements PbxNode {
    private final NodeConfig cfg;
    private final Context ctx;
    private final AtomicInteger active = new AtomicInteger();
    private final List<OriginateRequest> originates = new CopyOnWriteArrayList<>();
    private final Map<String, LiveChannel> live = new ConcurrentHashMap<>();
    /** Attempts whose result this node will emit: by channel id. */
    private final Map<String, String> tracked = new ConcurrentHashMap<>();
    private final Map<String, OutcomeMemory> memory = new ConcurrentHashMap<>();
    private final AtomicReference<OriginateException.Kind> failNext = new AtomicReference<>();
    private volatile boolean started;
    private volatile boolean connected = true;
    private volatile boolean draining;
    private volatile boolean recallFails;
    private volatile Handler<AttemptResult> handler = r -> { };

    public FakePbxNode(Vertx vertx, String id, int maxCalls) {
        this.cfg = new NodeConfig(id, "127.0.0.1", 5038, "huibo", "secret", maxCalls);
        this.ctx = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    }

    // ---------------------------------------------------------------- PbxNode

    @Override
    public String id() {
        return cfg.id();
    }

    @Override
    public NodeConfig config() {
        return cfg;
    }

    @Override
    public int maxCalls() {
        return cfg.maxCalls();
    }

    @Override
    public double weight() {
        return 1.0;
    }

    @Override
    public void setDraining(boolean draining) {
        this.draining = draining;
    }

    @Override
    public boolean isDraining() {
        return draining;
    }

    @Override
    public double originateRate() {
        return cfg.maxOriginatesPerSecond();
    }

    @Override
    public long eventLagMillis() {
        return 0;
    }

    @Override
    public int dialableNow() {
        return draining ? 0 : freeSlots();
    }

    @Override
    public int active() {
        return active.get();
    }

    @Override
    public boolean isConnected() {
        return started && connected;
    }

    @Override
    public int freeSlots() {
        return isConnected() ? Math.max(0, cfg.maxCalls() - active.get()) : 0;
    }

    @Override
    public NodeStatus status() {
        NodeStatus.State s = !started ? NodeStatus.State.STANDBY
                : connected ? NodeStatus.State.CONNECTED : NodeStatus.State.DISCONNECTED;
        return new NodeStatus(cfg.id(), s, connected ? null : "unreachable (test)", active.get(), cfg.maxCalls(), null);
    }

    @Override
    public Future<Void> start() {
        started = true;
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        started = false;
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> originate(OriginateRequest r) {
        OriginateException.Kind fail = failNext.getAndSet(null);
        if (!isConnected()) {
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT, cfg.id() + " is down"));
        }
        if (fail == OriginateException.Kind.NOT_SENT || active.get() >= cfg.maxCalls()) {
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT, "not sent (test)"));
        }
        if (tracked.putIfAbsent(r.channelId(), r.callbackId()) != null) {
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT,
                    r.channelId() + " is already in flight"));
        }
        active.incrementAndGet();
        originates.add(r);
        live.put(r.channelId(), channel(r.channelId(), 0, null));
        if (fail != null) {
            return Future.failedFuture(new OriginateException(fail, fail + " (test)"));
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> adopt(String channelId, String callbackId, int attempt, LiveChannel liveChannel) {
        if (tracked.putIfAbsent(channelId, callbackId) != null) {
            return Future.succeededFuture(false);
        }
        active.incrementAndGet();
        return Future.succeededFuture(true);
    }

    @Override
    public Future<List<LiveChannel>> liveChannels() {
        if (!isConnected()) {
            return Future.failedFuture(new IllegalStateException(cfg.id() + " is not connected"));
        }
        return Future.succeededFuture(new ArrayList<>(live.values()));
    }

    @Override
    public Future<OutcomeMemory> recall(String memoKey) {
        if (!isConnected() || recallFails) {
            return Future.failedFuture(new IllegalStateException(cfg.id() + " cannot be asked"));
        }
        return Future.succeededFuture(memory.getOrDefault(memoKey, OutcomeMemory.NONE));
    }

    @Override
    public void onAttemptResult(Handler<AttemptResult> h) {
        handler = h == null ? r -> { } : h;
    }

    // ---------------------------------------------------------------- what the test makes happen

    /** Every Originate the node accepted, in order. */
    public List<OriginateRequest> originates() {
        return List.copyOf(originates);
    }

    /** Unreachable: Originates are not sent, channels and memory cannot be asked. */
    public void setConnected(boolean connected) {
        this.connected = connected;
    }

    /** The next Originate fails with this kind (NOT_SENT: nothing reached the node; others: it may be up). */
    public void failNextOriginate(OriginateException.Kind kind) {
        failNext.set(kind);
    }

    /** Asking the memory fails, though the node is connected. */
    public void setRecallFails(boolean fails) {
        this.recallFails = fails;
    }

    /** Leg A answered: the originated channel is Up. */
    public void answer(String channelId) {
        live.computeIfPresent(channelId, (k, v) -> channel(k, 6, v.bridgeId()));
    }

    /** Leg B answered: the originated channel is Up and bridged. */
    public void bridge(String channelId) {
        live.computeIfPresent(channelId, (k, v) -> channel(k, 6, "bridge-" + k));
    }

    /** A call on the node nobody originated through this fake (a previous owner's), live now. */
    public void addLive(String channelId, boolean up, boolean bridged) {
        live.put(channelId, channel(channelId, up || bridged ? 6 : 0, bridged ? "bridge-" + channelId : null));
    }

    /** What the dialplan remembered of an attempt. */
    public void remember(String memoKey, OutcomeMemory m) {
        memory.put(memoKey, m);
    }

    public boolean isLive(String channelId) {
        return live.containsKey(channelId);
    }

    /** The call ended and the node saw it: its observed result is emitted. */
    public void end(String channelId, Outcome outcome, Leg failedLeg, Integer cause, boolean answered) {
        String cb = tracked.remove(channelId);
        live.remove(channelId);
        if (cb == null) {
            return;
        }
        active.decrementAndGet();
        Instant now = Instant.now();
        emit(new AttemptResult(channelId, cb, attemptOf(channelId), cfg.id(), outcome,
                outcome.isSuccess() ? null : failedLeg, cause, answered ? now : null, now, "test", true));
    }

    /**
     * The call ended while nobody listened (events lost): the channel is gone, and the node reports the
     * attempt ended unseen, with only the facts it saw before ({@code answered}: leg A's answer was seen).
     */
    public void endUnseen(String channelId, boolean answered) {
        String cb = tracked.remove(channelId);
        live.remove(channelId);
        if (cb == null) {
            return;
        }
        active.decrementAndGet();
        Instant now = Instant.now();
        emit(new AttemptResult(channelId, cb, attemptOf(channelId), cfg.id(), Outcome.FAILED, Leg.A, null,
                answered ? now : null, now, "channel not live on node (test)", false));
    }

    /** The call is gone from the node and no result will come (e.g. it ended while another instance drove the node). */
    public void vanish(String channelId) {
        if (tracked.remove(channelId) != null) {
            active.decrementAndGet();
        }
        live.remove(channelId);
    }

    private void emit(AttemptResult r) {
        ctx.runOnContext(v -> handler.handle(r));
    }

    private static int attemptOf(String channelId) {
        return Integer.parseInt(channelId.substring(channelId.lastIndexOf('-') + 1));
    }

    private static LiveChannel channel(String id, int state, String bridgeId) {
        return new LiveChannel("Local/s@huibo-leg-a-00000001;1", id, id, state, "AppDial", bridgeId, Duration.ZERO);
    }

    /** Runs {@code work} on this node's context (as the real node's own work runs). */
    public Future<Void> onContext(Runnable work) {
        Promise<Void> p = Promise.promise();
        ctx.runOnContext(v -> {
            work.run();
            p.complete();
        });
        return p.future();
    }
}
