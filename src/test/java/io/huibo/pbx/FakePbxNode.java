package io.huibo.pbx;

import io.huibo.config.NodeConfig;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One in-process instance's connection to a {@link FakeAsterisk}, for in-process tests of the
 * dispatcher and node ownership: the {@link PbxNode} the dispatcher drives. It follows the calls it
 * originated or adopted and hears their end while it is connected; a disconnected one hears nothing
 * (events lost). Like the real node it keeps its state on a Vert.x context of its own.
 */
public final class FakePbxNode implements PbxNode {
    private final FakeAsterisk pbx;
    private final NodeConfig cfg;
    private final Context ctx;
    private final AtomicInteger active = new AtomicInteger();
    /** Attempts whose result this connection will emit: channel id -> callback id. */
    private final Map<String, String> followed = new ConcurrentHashMap<>();
    private final AtomicReference<OriginateException.Kind> failNext = new AtomicReference<>();
    private volatile boolean started;
    private volatile boolean connected = true;
    private volatile boolean draining;
    private volatile boolean recallFails;
    private volatile Handler<AttemptResult> handler = r -> { };

    /** A connection to a PBX of its own. */
    public FakePbxNode(Vertx vertx, String id, int maxCalls) {
        this(vertx, new FakeAsterisk(id, maxCalls));
    }

    /** A connection to {@code pbx}, which other connections may share. */
    public FakePbxNode(Vertx vertx, FakeAsterisk pbx) {
        this.pbx = pbx;
        this.cfg = new NodeConfig(pbx.id(), "127.0.0.1", 5038, "huibo", "secret", pbx.maxCalls());
        this.ctx = ((VertxInternal) vertx).createEventLoopContext();
        pbx.connected(this);
    }

    public FakeAsterisk pbx() {
        return pbx;
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
        if (followed.putIfAbsent(r.channelId(), r.callbackId()) != null) {
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT,
                    r.channelId() + " is already in flight"));
        }
        if (!pbx.originate(r)) {
            followed.remove(r.channelId());
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT, "pbx full (test)"));
        }
        active.incrementAndGet();
        if (fail != null) {
            return Future.failedFuture(new OriginateException(fail, fail + " (test)"));
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> adopt(String channelId, String callbackId, int attempt, LiveChannel live) {
        if (followed.putIfAbsent(channelId, callbackId) != null) {
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
        return Future.succeededFuture(pbx.liveChannels());
    }

    @Override
    public Future<OutcomeMemory> recall(String memoKey) {
        if (!isConnected() || recallFails) {
            return Future.failedFuture(new IllegalStateException(cfg.id() + " cannot be asked"));
        }
        return Future.succeededFuture(pbx.recall(memoKey));
    }

    @Override
    public void onAttemptResult(Handler<AttemptResult> h) {
        handler = h == null ? r -> { } : h;
    }

    // ---------------------------------------------------------------- what the test makes happen

    /** Unreachable: Originates are not sent, channels and memory cannot be asked, ends are not heard. */
    public void setConnected(boolean connected) {
        boolean back = connected && !this.connected;
        this.connected = connected;
        if (back) {
            // as the real node does after a reconnect: calls it followed that ended meanwhile are gone unseen
            for (String ch : List.copyOf(followed.keySet())) {
                if (!pbx.isLive(ch)) {
                    reportGone(ch, false);
                }
            }
        }
    }

    /** The next Originate fails with this kind (NOT_SENT: nothing reached the node; others: it may be up). */
    public void failNextOriginate(OriginateException.Kind kind) {
        failNext.set(kind);
    }

    /** Asking the memory fails, though the node is connected. */
    public void setRecallFails(boolean fails) {
        this.recallFails = fails;
    }

    /**
     * The connection lost a call's end (events dropped across a reconnect) and found it gone: it reports
     * the attempt ended unseen, with what it saw before ({@code answeredSeen}).
     */
    public void reportGone(String channelId, boolean answeredSeen) {
        String cb = followed.remove(channelId);
        if (cb == null) {
            return;
        }
        active.decrementAndGet();
        Instant now = Instant.now();
        handlerEmit(new AttemptResult(channelId, cb, FakeAsterisk.attemptOf(channelId), cfg.id(), Outcome.FAILED,
                Leg.A, null, answeredSeen ? now : null, now, "channel not live on node (test)", false));
    }

    boolean follows(String channelId) {
        return isConnected() && followed.containsKey(channelId);
    }

    /** A call this connection follows ended: reported on its context. */
    void emit(AttemptResult r) {
        if (followed.remove(r.channelId()) != null) {
            active.decrementAndGet();
            handlerEmit(r);
        }
    }

    private void handlerEmit(AttemptResult r) {
        ctx.runOnContext(v -> handler.handle(r));
    }

    /** Channels this connection follows now. */
    public java.util.Set<String> followed() {
        return java.util.Set.copyOf(followed.keySet());
    }
}
