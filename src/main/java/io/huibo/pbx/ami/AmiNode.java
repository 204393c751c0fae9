package io.huibo.pbx.ami;

import io.huibo.config.NodeConfig;
import io.huibo.logging.CallMdc;
import io.huibo.metrics.Metrics;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.LiveChannel;
import io.huibo.pbx.NodeStatus;
import io.huibo.pbx.OriginateException;
import io.huibo.pbx.OriginateRate;
import io.huibo.pbx.OriginateRequest;
import io.huibo.pbx.OutcomeMemory;
import io.huibo.pbx.PbxNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.asteriskjava.manager.AuthenticationFailedException;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;
import org.asteriskjava.manager.ManagerConnectionState;
import org.asteriskjava.manager.ManagerEventListener;
import org.asteriskjava.manager.ResponseEvents;
import org.asteriskjava.manager.action.CoreShowChannelsAction;
import org.asteriskjava.manager.action.DbGetAction;
import org.asteriskjava.manager.action.ManagerAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PingAction;
import org.asteriskjava.manager.event.CoreShowChannelEvent;
import org.asteriskjava.manager.event.DisconnectEvent;
import org.asteriskjava.manager.event.ResponseEvent;
import org.asteriskjava.manager.response.ManagerError;
import org.asteriskjava.manager.response.ManagerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Asterisk node over AMI: one asterisk-java {@link ManagerConnection} at a time, our own reconnect
 * loop and keepalive, async Originate with our own timeout, and a {@link CallTracker} that turns the
 * node's events into {@link AttemptResult}s.
 *
 * <p>Threads: every piece of mutable state lives on one Vert.x context (the one current when the node
 * was constructed, or a new event-loop context). asterisk-java's blocking calls (login, logoff, the
 * socket write of sendAction, CoreShowChannels) run on a small private executor. The asterisk-java
 * event listener only copies the event into an immutable {@link CallEvent} and hands it to the context:
 * a slow listener would delay every AMI response on the connection (asterisk-java issues #161, #592).
 *
 * <p>Why our own reconnect loop: asterisk-java does not retry when the first login fails, and its own
 * retry after a drop has a fixed schedule and no status. So on every drop the old connection is
 * logged off (which also stops asterisk-java's reconnect thread) and a fresh one is built.
 *
 * <p>Silent drop: a Ping every {@code pingInterval} that gets no answer within {@code pingTimeout}
 * drops the connection (defaults 5 s + 3 s, so a dead peer is noticed within 8 s), and the socket read
 * timeout (2 x interval + timeout) backs that up. Reconnects back off exponentially with jitter.
 *
 * <p>In a cluster a node is started only by the instance that owns it ({@code dispatch.NodeOwnership})
 * and stopped when it gives it up; it can be started again later. Until then it is STANDBY. After
 * every login the node lists its live channels before it reports CONNECTED: Huibo channels it does not
 * track (a previous owner's calls) are adopted, so they count against maxCalls and their end is
 * reported, and no Originate goes out before that count is known. Tracked ones learn what the listing
 * shows (an answer lost with the connection); those no longer listed are reported unobserved.
 */
public final class AmiNode implements PbxNode {
    static final String EVENT_MASK = "call,system";
    private static final Logger log = LoggerFactory.getLogger(AmiNode.class);
    private static final long HOUSEKEEPING_MS = 500;

    /**
     * Tunables; {@link #defaults()} suits production.
     *
     * @param pingInterval      how often our keepalive Ping is sent
     * @param pingTimeout       a Ping without answer within this drops the connection (silent drop)
     * @param reconnectMin      first reconnect delay; doubles per failure up to reconnectMax, with jitter
     * @param authRetry         delay between retries after an authentication failure
     * @param reconcileInterval how often CoreShowChannels is compared with tracked attempts (only while
     *                          some are tracked); also done after every (re)connect
     * @param maxCallDuration   safety net: an answered attempt this old is checked against CoreShowChannels
     *                          (ended only when the node no longer lists it)
     * @param connectTimeout    TCP connect timeout
     */
    public record Options(Duration pingInterval, Duration pingTimeout, Duration reconnectMin, Duration reconnectMax,
                          Duration authRetry, Duration reconcileInterval, Duration maxCallDuration,
                          Duration connectTimeout) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofMillis(250),
                    Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofHours(4),
                    Duration.ofSeconds(5));
        }

        public Options withPing(Duration interval, Duration timeout) {
            return new Options(interval, timeout, reconnectMin, reconnectMax, authRetry, reconcileInterval,
                    maxCallDuration, connectTimeout);
        }

        public Options withReconnect(Duration min, Duration max, Duration auth) {
            return new Options(pingInterval, pingTimeout, min, max, auth, reconcileInterval, maxCallDuration,
                    connectTimeout);
        }

        public Options withReconcileInterval(Duration d) {
            return new Options(pingInterval, pingTimeout, reconnectMin, reconnectMax, authRetry, d,
                    maxCallDuration, connectTimeout);
        }
    }

    private final Vertx vertx;
    private final NodeConfig cfg;
    private final Duration actionTimeout;
    private final Options opts;
    private final Clock clock;
    private final Context ctx;
    private final ExecutorService workers;
    private final CallTracker tracker;
    /** Confined to ctx. */
    private final MemoPurge memoPurge;
    private final AtomicInteger active = new AtomicInteger();

    // read from any thread, written on ctx
    private volatile NodeStatus.State state = NodeStatus.State.STANDBY;
    private volatile boolean draining;
    private final OriginateRate rate;
    private volatile String lastError;
    private volatile Instant connectedSince;
    /** The last call event's wait between asterisk-java reading it and ctx handling it, and when that was. */
    private volatile long eventLagMillis;
    private volatile long eventLagAt;
    private final Metrics metrics;

    // confined to ctx
    private ManagerConnection conn;
    private long generation;
    private int failures;
    private boolean started;
    private boolean stopped;
    private boolean pingInFlight;
    private boolean reconcileInFlight;
    private Instant lastReconcile = Instant.EPOCH;
    private long pingTimer = -1;
    private long reconnectTimer = -1;
    private long housekeepingTimer = -1;
    private Handler<CallEvent> callEventHandler = e -> { };
    private Handler<AttemptResult> resultHandler = r -> { };

    public AmiNode(Vertx vertx, NodeConfig cfg, Duration actionTimeout) {
        this(vertx, cfg, actionTimeout, Options.defaults());
    }

    public AmiNode(Vertx vertx, NodeConfig cfg, Duration actionTimeout, Options opts) {
        this(vertx, cfg, actionTimeout, opts, Clock.systemUTC());
    }

    /** {@code clock}: call tracking deadlines and the UTC day of outcome memory purges. */
    public AmiNode(Vertx vertx, NodeConfig cfg, Duration actionTimeout, Options opts, Clock clock) {
        this(vertx, cfg, actionTimeout, opts, clock, Metrics.none());
    }

    public AmiNode(Vertx vertx, NodeConfig cfg, Duration actionTimeout, Metrics metrics) {
        this(vertx, cfg, actionTimeout, Options.defaults(), Clock.systemUTC(), metrics);
    }

    /** {@code metrics}: reconnects, action latency and event lag are recorded there. */
    public AmiNode(Vertx vertx, NodeConfig cfg, Duration actionTimeout, Options opts, Clock clock, Metrics metrics) {
        this.metrics = metrics;
        metrics.amiNode(cfg.id());
        this.vertx = vertx;
        this.clock = clock;
        this.cfg = cfg;
        this.actionTimeout = actionTimeout;
        this.opts = opts;
        this.ctx = vertx.getOrCreateContext();
        AtomicInteger n = new AtomicInteger();
        // idle threads time out: a standby node (or one given up) holds none
        ThreadPoolExecutor pool = new ThreadPoolExecutor(3, 3, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "huibo-ami-" + cfg.id() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
        this.rate = new OriginateRate(cfg.maxOriginatesPerSecond(), System.nanoTime());
        this.tracker = new CallTracker(cfg.id(), clock, opts.maxCallDuration());
        this.memoPurge = new MemoPurge(clock);
        tracker.onResult(r -> {
            active.decrementAndGet();
            resultHandler.handle(r);
        });
    }

    public String id() {
        return cfg.id();
    }

    public int maxCalls() {
        return cfg.maxCalls();
    }

    public NodeConfig config() {
        return cfg;
    }

    public double weight() {
        return cfg.weight() > 0 ? cfg.weight() : 1.0;
    }

    /** A draining node takes no new attempts; those running finish. */
    public void setDraining(boolean d) {
        draining = d;
    }

    public boolean isDraining() {
        return draining;
    }

    /** The current Originates-per-second limit (lowered after timeouts and errors, see {@link OriginateRate}). */
    public double originateRate() {
        return rate.rate();
    }

    /**
     * How long the last call event waited between asterisk-java reading it and this node handling it,
     * in ms; 0 when no event came in the last second. A growing lag means this instance is not keeping
     * up with its nodes (CPU, GC): asterisk-java's event queue is bounded and drops events when full,
     * and a dropped Hangup leaves a call that never ends.
     */
    public long eventLagMillis() {
        return System.currentTimeMillis() - eventLagAt > 1000 ? 0 : eventLagMillis;
    }

    /** Attempts that can be started here right now: free slots, not draining, within the Originate rate. */
    public int dialableNow() {
        int free = freeSlots();
        return free <= 0 || draining ? 0 : Math.min(free, rate.available(System.nanoTime()));
    }

    /** Attempts in flight on this node: originates sent (or adopted) whose result was not yet emitted. */
    public int active() {
        return active.get();
    }

    public boolean isConnected() {
        return state == NodeStatus.State.CONNECTED;
    }

    /** Free call slots; 0 unless CONNECTED. */
    public int freeSlots() {
        return state == NodeStatus.State.CONNECTED ? Math.max(0, cfg.maxCalls() - active.get()) : 0;
    }

    public NodeStatus status() {
        NodeStatus.State s = state;
        return new NodeStatus(cfg.id(), s, lastError, active.get(), cfg.maxCalls(),
                s == NodeStatus.State.CONNECTED ? connectedSince : null);
    }

    /** Raw call events (Originate responses, dial, state, hangup), on the node's Vert.x context. */
    public void onCallEvent(Handler<CallEvent> h) {
        ctx.runOnContext(v -> callEventHandler = h == null ? e -> { } : h);
    }

    /** One result per attempt (see {@link OriginateException#resultFollows()}), on the node's context. */
    public void onAttemptResult(Handler<AttemptResult> h) {
        ctx.runOnContext(v -> resultHandler = h == null ? r -> { } : h);
    }

    /**
     * Starts the connection loop. Completes after the first login attempt, whether it succeeded or
     * not: a node that is down at start keeps being retried in the background (see {@link #status()}).
     */
    public Future<Void> start() {
        Context caller = Vertx.currentContext();
        Promise<Void> first = Promise.promise();
        ctx.runOnContext(v -> {
            if (started) {
                first.complete();
                return;
            }
            started = true;
            stopped = false;
            state = NodeStatus.State.DISCONNECTED;
            housekeepingTimer = vertx.setPeriodic(HOUSEKEEPING_MS, id -> housekeeping());
            connect(first);
        });
        return onCaller(first.future(), caller);
    }

    /**
     * Logs off and stops retrying; the node is STANDBY and can be started again. Tracked attempts are
     * left alone (a restart, or the node's next owner, adopts them).
     */
    public Future<Void> stop() {
        Context caller = Vertx.currentContext();
        Promise<Void> done = Promise.promise();
        ctx.runOnContext(v -> {
            stopped = true;
            started = false;
            pingInFlight = false;
            generation++;
            cancelTimer(pingTimer);
            cancelTimer(reconnectTimer);
            cancelTimer(housekeepingTimer);
            pingTimer = reconnectTimer = housekeepingTimer = -1;
            ManagerConnection c = conn;
            conn = null;
            state = NodeStatus.State.STANDBY;
            connectedSince = null;
            blocking(() -> {
                close(c);
                return null;
            }).onComplete(ar -> done.complete());
        });
        return onCaller(done.future(), caller);
    }

    /**
     * Sends an async Originate. Completes when Asterisk answers "Originate successfully queued"; fails
     * with {@link OriginateException} on an Error response, a disconnect (asterisk-java answers null)
     * or when no response comes within the action timeout. The call's result comes later through
     * {@link #onAttemptResult}.
     */
    public Future<Void> originate(OriginateRequest r) {
        Context caller = Vertx.currentContext();
        if (state != NodeStatus.State.CONNECTED) {
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT,
                    "node " + cfg.id() + " is " + state));
        }
        if (!rate.tryAcquire(System.nanoTime())) {
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT,
                    "node " + cfg.id() + " is at its Originate rate"));
        }
        if (!reserveSlot()) {
            return Future.failedFuture(new OriginateException(OriginateException.Kind.NOT_SENT,
                    "node " + cfg.id() + " has no free call slot"));
        }
        Promise<Void> p = Promise.promise();
        ctx.runOnContext(v -> doOriginate(r, p));
        return onCaller(p.future(), caller);
    }

    /**
     * Reconciliation after a restart: the attempt is live on this node, so track it until its Hangup
     * (or until a CoreShowChannels no longer lists it). It counts as active meanwhile.
     */
    public Future<Boolean> adopt(String channelId, String callbackId, int attempt, boolean answeredHint) {
        return adopt(channelId, callbackId, attempt, answeredHint, false);
    }

    private Future<Boolean> adopt(String channelId, String callbackId, int attempt, boolean answeredHint,
                                  boolean bridgedHint) {
        Context caller = Vertx.currentContext();
        Promise<Boolean> p = Promise.promise();
        ctx.runOnContext(v -> {
            boolean added = tracker.adopt(channelId, callbackId, attempt, answeredHint, bridgedHint);
            if (added) {
                active.incrementAndGet();
            }
            p.complete(added);
        });
        return onCaller(p.future(), caller);
    }

    /**
     * {@link #adopt(String, String, int, boolean)} with hints from the live channel: state Up means leg A
     * answered, a BridgeId means leg B answered too (the originated channel is bridged to it).
     */
    public Future<Boolean> adopt(String channelId, String callbackId, int attempt, LiveChannel live) {
        boolean bridged = live != null && live.bridgeId() != null && !live.bridgeId().isBlank();
        return adopt(channelId, callbackId, attempt, live != null && live.state() == CallEvent.STATE_UP, bridged);
    }

    /** ChannelIds of the attempts this node is tracking. */
    public Future<Set<String>> trackedChannelIds() {
        Context caller = Vertx.currentContext();
        Promise<Set<String>> p = Promise.promise();
        ctx.runOnContext(v -> p.complete(tracker.tracked()));
        return onCaller(p.future(), caller);
    }

    /** Live channels on the node ({@code CoreShowChannels}), with the action timeout. */
    @Override
    public Future<List<LiveChannel>> liveChannels() {
        Context caller = Vertx.currentContext();
        Promise<List<LiveChannel>> p = Promise.promise();
        ctx.runOnContext(v -> {
            ManagerConnection c = conn;
            if (c == null || state != NodeStatus.State.CONNECTED) {
                p.fail(new IllegalStateException("node " + cfg.id() + " is " + state));
                return;
            }
            blocking(() -> listChannels(c)).onComplete(p);
        });
        return onCaller(p.future(), caller);
    }

    /**
     * Reads what the dialplan remembered of an attempt ({@code DBGet} of {@code huibo/<memoKey>/a} and
     * {@code /b}; the AMI user needs read class {@code reporting}). A missing entry is an empty part.
     */
    @Override
    public Future<OutcomeMemory> recall(String memoKey) {
        Context caller = Vertx.currentContext();
        Promise<OutcomeMemory> p = Promise.promise();
        ctx.runOnContext(v -> {
            ManagerConnection c = conn;
            if (c == null || state != NodeStatus.State.CONNECTED) {
                p.fail(new IllegalStateException("node " + cfg.id() + " is " + state));
                return;
            }
            blocking(() -> new OutcomeMemory(dbGet(c, memoKey + "/a"), dbGet(c, memoKey + "/b"))).onComplete(p);
        });
        return onCaller(p.future(), caller);
    }

    static final String MEMO_FAMILY = "huibo";

    /** One AstDB value; null when the node has no such entry. */
    private String dbGet(ManagerConnection c, String key) throws Exception {
        return AstDbAnswer.value(c.sendEventGeneratingAction(new DbGetAction(MEMO_FAMILY, key),
                actionTimeout.toMillis()));
    }

    // ---------------------------------------------------------------- connection loop (on ctx)

    private void connect(Promise<Void> firstDone) {
        reconnectTimer = -1;
        if (stopped) {
            if (firstDone != null) {
                firstDone.tryComplete();
            }
            return;
        }
        long gen = ++generation;
        if (state != NodeStatus.State.AUTH_FAILED) {
            state = NodeStatus.State.CONNECTING;
        }
        blocking(() -> login(gen)).onComplete(ar -> {
            if (ar.succeeded()) {
                onLoggedIn(gen, ar.result(), firstDone);
            } else {
                if (firstDone != null) {
                    firstDone.tryComplete();
                }
                onLoginFailed(gen, ar.cause());
            }
        });
    }

    private ManagerConnection login(long gen) throws Exception {
        // read per login (a worker thread): a CA file replaced on disk counts from the next connection
        ManagerConnection c = cfg.tls()
                ? new TlsManagerConnection(TlsManagerConnection.context(cfg.tlsCaFile()), cfg.host(), cfg.amiPort(),
                        cfg.user(), cfg.secret())
                : new ManagerConnectionFactory(cfg.host(), cfg.amiPort(), cfg.user(), cfg.secret())
                        .createManagerConnection();
        c.setSocketTimeout((int) opts.connectTimeout().toMillis());
        // a read timeout longer than ping interval + ping timeout: with our Pings flowing, only a
        // silently dead peer lets it expire, and then asterisk-java reports a disconnect by itself
        c.setSocketReadTimeout((int) (opts.pingInterval().toMillis() * 2 + opts.pingTimeout().toMillis()));
        c.addEventListener(listener(gen));
        try {
            // Only the event classes Huibo reads: call (OriginateResponse, Dial*, Hangup)
            // and system (FullyBooted). Without a mask Asterisk also sends every VarSet, Newexten
            // and AGIExec* of every call, several times what Huibo needs, and asterisk-java builds
            // each by reflection on its single reader thread.
            c.login(EVENT_MASK);
            return c;
        } catch (Exception e) {
            close(c);
            throw e;
        }
    }

    private ManagerEventListener listener(long gen) {
        String nodeId = cfg.id();
        return event -> {
            // runs on asterisk-java's single event pump thread: copy and hand off, nothing else
            if (event instanceof DisconnectEvent) {
                ctx.runOnContext(v -> onDropped(gen, "connection lost"));
                return;
            }
            // stamped when asterisk-java read it, so the lag seen on ctx includes its event pump's queue
            Instant received = event.getDateReceived() == null ? Instant.now() : event.getDateReceived().toInstant();
            CallEvent.from(nodeId, event, received).ifPresent(ce -> ctx.runOnContext(v -> onCallEvent(ce)));
        };
    }

    private void onLoggedIn(long gen, ManagerConnection c, Promise<Void> firstDone) {
        if (stopped || gen != generation) {
            blocking(() -> {
                close(c);
                return null;
            });
            if (firstDone != null) {
                firstDone.tryComplete();
            }
            return;
        }
        conn = c;
        failures = 0;
        lastError = null;
        pingTimer = vertx.setPeriodic(opts.pingInterval().toMillis(), id -> ping(gen));
        // events may have been missed while disconnected, and a previous owner may have left calls
        // here: learn the live channels before anything is dialed
        reconcile(true).onComplete(ar -> {
            if (!stopped && gen == generation && conn == c) {
                connectedSince = Instant.now();
                state = NodeStatus.State.CONNECTED;
                log.info("AMI node {} connected to {}:{}", cfg.id(), cfg.host(), cfg.amiPort());
            }
            if (firstDone != null) {
                firstDone.tryComplete();
            }
        });
    }

    private void onLoginFailed(long gen, Throwable t) {
        if (stopped || gen != generation) {
            return;
        }
        long delay;
        // asterisk-java also throws AuthenticationFailedException when the Challenge merely timed
        // out ("Unable to send challenge action"); only a refused login is worth the slow retry
        if (t instanceof AuthenticationFailedException && !String.valueOf(t.getMessage()).startsWith("Unable to")) {
            state = NodeStatus.State.AUTH_FAILED;
            lastError = "authentication failed: " + t.getMessage();
            delay = opts.authRetry().toMillis();
        } else {
            state = NodeStatus.State.DISCONNECTED;
            lastError = describe(t);
            delay = backoff();
        }
        log.warn("AMI node {} login failed ({}), retry in {} ms", cfg.id(), lastError, delay);
        scheduleReconnect(delay);
    }

    private void onDropped(long gen, String why) {
        if (stopped || gen != generation || conn == null) {
            return;
        }
        log.warn("AMI node {} dropped: {}", cfg.id(), why);
        state = NodeStatus.State.DISCONNECTED;
        lastError = why;
        connectedSince = null;
        cancelTimer(pingTimer);
        pingTimer = -1;
        ManagerConnection old = conn;
        conn = null;
        // logoff also ends asterisk-java's own reconnect thread for that connection
        blocking(() -> {
            close(old);
            return null;
        });
        scheduleReconnect(backoff());
    }

    private void scheduleReconnect(long delayMs) {
        metrics.amiReconnect(cfg.id());
        cancelTimer(reconnectTimer);
        reconnectTimer = vertx.setTimer(Math.max(1, delayMs), id -> connect(null));
    }

    /** Exponential backoff with jitter: a random delay in [d/2, d], d doubling per failure. */
    private long backoff() {
        long min = Math.max(1, opts.reconnectMin().toMillis());
        long max = Math.max(min, opts.reconnectMax().toMillis());
        int exp = Math.min(failures++, 20);
        long d = Math.min(max, min << exp);
        return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
    }

    private void ping(long gen) {
        ManagerConnection c = conn;
        if (c == null || gen != generation || state != NodeStatus.State.CONNECTED || pingInFlight) {
            return;
        }
        pingInFlight = true;
        sendAsync(c, new PingAction(), opts.pingTimeout(), null).onComplete(ar -> {
            pingInFlight = false;
            if (ar.failed()) {
                onDropped(gen, "keepalive ping failed: " + ar.cause().getMessage());
            } else if (isError(ar.result())) {
                onDropped(gen, "keepalive ping refused: " + ar.result().getMessage());
            }
        });
    }

    private void housekeeping() {
        // a passed safety deadline is a question for the node, never an end by itself: while
        // disconnected the next login's reconcile answers it
        boolean ask = tracker.expire();
        if (state == NodeStatus.State.CONNECTED && tracker.size() > 0
                && (ask || clock.instant().isAfter(lastReconcile.plus(opts.reconcileInterval())))) {
            reconcile(false);
        }
    }

    /** Our ChannelIds, {@code hb-<callback>-<attempt>} (domain.Attempt#channelIdFor). */
    private static final Pattern HUIBO_CHANNEL = Pattern.compile("hb-([0-9A-Za-z]+)-([0-9]{1,6})");

    /**
     * Compares tracked attempts with CoreShowChannels. After a login ({@code adoptForeign}) live Huibo
     * channels that are not tracked are adopted: they were originated by a previous owner of this node
     * (or before a restart), occupy slots, and their end must be reported.
     */
    private Future<Void> reconcile(boolean adoptForeign) {
        ManagerConnection c = conn;
        if (c == null || reconcileInFlight) {
            return Future.succeededFuture();
        }
        reconcileInFlight = true;
        // the tracker's clock: it compares the snapshot time with when attempts started
        Instant at = clock.instant();
        lastReconcile = at;
        return blocking(() -> listChannels(c)).transform(ar -> {
            reconcileInFlight = false;
            if (ar.failed()) {
                log.warn("AMI node {}: CoreShowChannels failed: {}", cfg.id(), describe(ar.cause()));
                return Future.succeededFuture();
            }
            for (LiveChannel ch : ar.result()) {
                Matcher m = adoptForeign && ch.uniqueid() != null ? HUIBO_CHANNEL.matcher(ch.uniqueid()) : null;
                if (m != null && m.matches() && !tracker.isTracked(ch.uniqueid())) {
                    boolean bridged = ch.bridgeId() != null && !ch.bridgeId().isBlank();
                    if (tracker.adopt(ch.uniqueid(), m.group(1), Integer.parseInt(m.group(2)),
                            ch.state() == CallEvent.STATE_UP, bridged)) {
                        active.incrementAndGet();
                        CallMdc.log(m.group(1), Integer.parseInt(m.group(2)), cfg.id(), ch.uniqueid(), () -> log.info(
                                "AMI node {}: adopted live channel {} left by a previous owner", cfg.id(),
                                ch.uniqueid()));
                    }
                }
            }
            // tracked attempts learn what the listing shows (answers lost with the connection)
            List<String> gone = tracker.reconcile(ar.result(), at);
            if (!gone.isEmpty()) {
                log.info("AMI node {}: {} attempt(s) ended unseen: {}", cfg.id(), gone.size(), gone);
            }
            return Future.succeededFuture();
        });
    }

    private void onCallEvent(CallEvent e) {
        long now = System.currentTimeMillis();
        eventLagMillis = Math.max(0, now - e.at().toEpochMilli());
        eventLagAt = now;
        metrics.amiEventLag(cfg.id(), eventLagMillis);
        tracker.accept(e);
        try {
            callEventHandler.handle(e);
        } catch (RuntimeException ex) {
            log.error("call event handler failed", ex);
        }
    }

    // ---------------------------------------------------------------- originate (on ctx)

    private boolean reserveSlot() {
        while (true) {
            int a = active.get();
            if (a >= cfg.maxCalls()) {
                return false;
            }
            if (active.compareAndSet(a, a + 1)) {
                return true;
            }
        }
    }

    private void doOriginate(OriginateRequest r, Promise<Void> p) {
        ManagerConnection c = conn;
        if (c == null || stopped || state != NodeStatus.State.CONNECTED) {
            active.decrementAndGet();
            p.fail(new OriginateException(OriginateException.Kind.NOT_SENT, "node " + cfg.id() + " is " + state));
            return;
        }
        if (!tracker.track(r.channelId(), r.callbackId(), r.attempt(), r.timeout(), r.confirm())) {
            active.decrementAndGet();
            p.fail(new OriginateException(OriginateException.Kind.NOT_SENT,
                    r.channelId() + " is already in flight on node " + cfg.id()));
            return;
        }
        OriginateAction a = originateAction(r, memoPurge.next());
        sendAsync(c, a, actionTimeout, late -> {
            // an Error after we gave up waiting: still nothing was dialed
            if (isError(late)) {
                tracker.rejected(r.channelId(), late.getMessage());
            }
        }).onComplete(ar -> {
            // back-pressure: a node that answers late or with errors gets fewer Originates
            if (ar.succeeded() && !isError(ar.result())) {
                rate.onSuccess(System.nanoTime());
            } else {
                rate.onFailure(System.nanoTime());
            }
            if (ar.succeeded()) {
                ManagerResponse resp = ar.result();
                if (isError(resp)) {
                    tracker.rejected(r.channelId(), resp.getMessage());
                    p.fail(new OriginateException(OriginateException.Kind.REJECTED,
                            "originate rejected by " + cfg.id() + ": " + resp.getMessage()));
                } else {
                    p.complete();
                }
                return;
            }
            OriginateException ex = ar.cause() instanceof OriginateException oe ? oe
                    : new OriginateException(OriginateException.Kind.DISCONNECTED, describe(ar.cause()));
            if (ex.kind() == OriginateException.Kind.NOT_SENT && tracker.forget(r.channelId())) {
                active.decrementAndGet();
            }
            p.fail(ex);
        });
    }

    /** {@code purgeDay}: an old day of outcome memory the dialplan drops ({@link MemoPurge}), or null. */
    static OriginateAction originateAction(OriginateRequest r, String purgeDay) {
        OriginateAction a = new OriginateAction();
        a.setChannel("Local/s@" + r.context());
        a.setContext(r.connectContext());
        a.setExten("s");
        a.setPriority(1);
        a.setAsync(true);
        a.setTimeout(r.timeout().toMillis());
        a.setChannelId(r.channelId());
        // our ActionID comes back (after asterisk-java's own prefix) on the OriginateResponse, which
        // correlates a failure even when Asterisk reports no Uniqueid
        a.setActionId(r.channelId());
        if (r.callerId() != null && !r.callerId().isBlank()) {
            a.setCallerId(r.callerId());
        }
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("HUIBO_CALLBACK", r.callbackId());
        vars.put("HUIBO_ATTEMPT", Integer.toString(r.attempt()));
        // the first instance that answers serves the call's FastAGI requests: a dead or stopping
        // instance does not leave an answered call without its leg B route
        for (int i = 0; i < r.agiAddresses().size(); i++) {
            vars.put(i == 0 ? "HUIBO_AGI" : "HUIBO_AGI_" + (i + 1), r.agiAddresses().get(i));
        }
        vars.put("HUIBO_MEMO", r.memoKey());
        if (purgeDay != null) {
            vars.put("HUIBO_MEMO_PURGE", purgeDay);
        }
        if (r.confirm()) {
            vars.put("HUIBO_CONFIRM", "1");
        }
        // unset without a limit: Dial's S() with an empty argument is no option at all
        if (r.maxCallSeconds() > 0) {
            vars.put("HUIBO_MAXSEC", Integer.toString(r.maxCallSeconds()));
        }
        a.setVariables(vars);
        return a;
    }

    // ---------------------------------------------------------------- helpers

    /**
     * asterisk-java's async sendAction has no timeout and answers null on disconnect; this adds our
     * timer and maps both to {@link OriginateException}s. The socket write runs on a worker thread.
     * Completes on ctx. {@code late} gets a response that arrives after the timeout (may be null).
     */
    private Future<ManagerResponse> sendAsync(ManagerConnection c, ManagerAction action, Duration timeout,
                                              Handler<ManagerResponse> late) {
        Promise<ManagerResponse> p = Promise.promise();
        long sentAt = System.nanoTime();
        p.future().onComplete(ar -> metrics.amiAction(cfg.id(), action.getAction(), ar.succeeded() ? "ok"
                : ar.cause() instanceof OriginateException oe ? oe.kind().name().toLowerCase() : "error",
                System.nanoTime() - sentAt));
        AtomicBoolean settled = new AtomicBoolean();
        long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            if (settled.compareAndSet(false, true)) {
                p.fail(new OriginateException(OriginateException.Kind.TIMEOUT,
                        action.getAction() + " got no response from " + cfg.id() + " within " + timeout.toMillis()
                                + " ms"));
            }
        });
        workers.execute(() -> {
            try {
                c.sendAction(action, resp -> ctx.runOnContext(v -> {
                    if (settled.compareAndSet(false, true)) {
                        vertx.cancelTimer(timer);
                        if (resp == null) {
                            p.fail(new OriginateException(OriginateException.Kind.DISCONNECTED,
                                    "connection to " + cfg.id() + " lost before the response"));
                        } else {
                            p.complete(resp);
                        }
                    } else if (late != null && resp != null) {
                        late.handle(resp);
                    }
                }));
            } catch (IllegalStateException e) {
                settleFailure(settled, timer, p, OriginateException.Kind.NOT_SENT, e);
            } catch (IOException | RuntimeException e) {
                // the write failed midway: Asterisk may or may not have the action
                settleFailure(settled, timer, p, OriginateException.Kind.DISCONNECTED, e);
            }
        });
        return p.future();
    }

    private void settleFailure(AtomicBoolean settled, long timer, Promise<ManagerResponse> p,
                               OriginateException.Kind kind, Exception e) {
        ctx.runOnContext(v -> {
            if (settled.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                p.fail(new OriginateException(kind, describe(e)));
            }
        });
    }

    private List<LiveChannel> listChannels(ManagerConnection c) throws Exception {
        ResponseEvents re = c.sendEventGeneratingAction(new CoreShowChannelsAction(), actionTimeout.toMillis());
        if (isError(re.getResponse())) {
            throw new IOException("CoreShowChannels refused: " + re.getResponse().getMessage());
        }
        List<LiveChannel> out = new ArrayList<>();
        for (ResponseEvent e : re.getEvents()) {
            if (e instanceof CoreShowChannelEvent ch) {
                out.add(new LiveChannel(ch.getChannel(), ch.getUniqueid(), ch.getLinkedid(),
                        ch.getChannelState() == null ? -1 : ch.getChannelState(), ch.getApplication(),
                        ch.getBridgeid(), LiveChannel.parseDuration(ch.getDuration())));
            }
        }
        return out;
    }

    /** Runs blocking code on the node's executor; the future completes on ctx. */
    private <T> Future<T> blocking(Callable<T> work) {
        Promise<T> p = Promise.promise();
        try {
            workers.execute(() -> {
                try {
                    T v = work.call();
                    ctx.runOnContext(x -> p.complete(v));
                } catch (Throwable t) {
                    ctx.runOnContext(x -> p.fail(t));
                }
            });
        } catch (RuntimeException rejected) {
            p.fail(rejected);
        }
        return p.future();
    }

    private static void close(ManagerConnection c) {
        if (c == null) {
            return;
        }
        try {
            ManagerConnectionState s = c.getState();
            if (s == ManagerConnectionState.CONNECTED || s == ManagerConnectionState.RECONNECTING) {
                c.logoff();
            }
        } catch (RuntimeException e) {
            log.debug("logoff failed", e);
        }
    }

    private static boolean isError(ManagerResponse r) {
        return r instanceof ManagerError || (r != null && "Error".equalsIgnoreCase(r.getResponse()));
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
    }

    private void cancelTimer(long id) {
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    /** Brings a result back to the caller's context, as the project's async APIs promise. */
    private <T> Future<T> onCaller(Future<T> f, Context caller) {
        if (caller == null || caller == ctx) {
            return f;
        }
        Promise<T> p = Promise.promise();
        f.onComplete(ar -> caller.runOnContext(v -> {
            if (ar.succeeded()) {
                p.complete(ar.result());
            } else {
                p.fail(ar.cause());
            }
        }));
        return p.future();
    }
}
