package io.huibo.sim;

import io.huibo.sim.dialplan.Dialplan;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated Asterisk node: an AMI server, its live calls and its counters.
 * A verticle, so the AMI sockets, timers and FastAGI clients of one node all run on one event loop
 * and the call state machines need no locking. Counters are atomics because the control API reads them.
 */
final class SimNode extends VerticleBase {
    /**
     * {@code eventFilter}: the AMI user's manager.conf eventfilter lines and read classes. {@code fallbackAgi}
     * and {@code dialinAgi} become the globals HUIBO_AGI and HUIBO_DIALIN_AGI (an Originate's own HUIBO_AGI
     * wins, as a channel variable does over a global); they override the dialplan's [globals].
     */
    record Config(String id, String bind, int port, String user, String secret, int maxChannels,
                  Scenario scenario, String fallbackAgi, String dialinAgi, EventFilter eventFilter, Dialplan dialplan,
                  java.nio.file.Path tlsCert, java.nio.file.Path tlsKey) {}

    private final Config cfg;
    private final Map<String, String> globals;
    private final CallLog log;
    private final long startedAt = System.currentTimeMillis();
    private final Set<AmiSession> sessions = new LinkedHashSet<>();
    /** Live calls by the ;1 uniqueid; read by the control API, hence concurrent. */
    private final Map<String, SimCall> live = new ConcurrentHashMap<>();
    /** Dial-ins in progress; they hold a channel but are not callbacks, so they count in neither active nor peak. */
    private final Map<String, DialinCall> dialins = new ConcurrentHashMap<>();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong originates = new AtomicLong();
    private final AtomicInteger channelSeq = new AtomicInteger();
    private final AtomicLong uniqueSeq = new AtomicLong();
    /** Kept across kill/start, as astdb.sqlite3 outlives an Asterisk process. */
    private final AstDb astDb = new AstDb();
    private NetServer server;
    private NetClient agiNetClient;
    private FastAgiClient agi;
    private volatile int boundPort;
    private volatile boolean listening;
    private volatile boolean silent;
    /** Every AMI response and event of this node waits this long before it is written (0 = at once). */
    private volatile long delayMs;
    /** Until this time (epoch ms) an AMI connection is closed as soon as it is accepted (cut-ami). */
    private volatile long amiCutUntil;

    SimNode(Config cfg, CallLog log) {
        this.cfg = cfg;
        this.log = log;
        this.globals = new java.util.HashMap<>(cfg.dialplan().globals());
        if (cfg.fallbackAgi() != null) {
            globals.put("HUIBO_AGI", cfg.fallbackAgi());
        }
        if (cfg.dialinAgi() != null) {
            globals.put("HUIBO_DIALIN_AGI", cfg.dialinAgi());
        }
    }

    @Override
    public Future<?> start() {
        agiNetClient = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
        agi = new FastAgiClient(vertx, agiNetClient);
        return listen();
    }

    @Override
    public Future<?> stop() {
        dropEverything();
        return server == null ? Future.succeededFuture() : server.close();
    }

    private Future<Void> listen() {
        io.vertx.core.net.NetServerOptions options = new io.vertx.core.net.NetServerOptions();
        if (cfg.tlsCert() != null) {
            options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                    .setCertPath(cfg.tlsCert().toString()).setKeyPath(cfg.tlsKey().toString()));
        }
        server = vertx.createNetServer(options).connectHandler(socket -> {
            if (System.currentTimeMillis() < amiCutUntil) {
                socket.close();
                return;
            }
            AmiSession s = new AmiSession(this, socket);
            sessions.add(s);
            if (silent) {
                socket.pause();
            } else {
                s.start();
            }
        });
        return server.listen(boundPort > 0 ? boundPort : cfg.port(), cfg.bind()).map(srv -> {
            boundPort = srv.actualPort();
            listening = true;
            return null;
        });
    }

    // ---- control operations (called from any thread; hop onto this node's context) ----

    /** Asterisk died: AMI sockets close, the listener goes away and every call is dropped without events. */
    Future<Void> kill() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            dropEverything();
            listening = false;
            NetServer s = server;
            server = null;
            (s == null ? Future.<Void>succeededFuture() : s.close()).onComplete(p);
        });
        return p.future();
    }

    /** Starts listening again after kill, or resumes after silent. */
    Future<Void> revive() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            if (silent) {
                silent = false;
                for (AmiSession s : List.copyOf(sessions)) {
                    s.close(); // a frozen session's client has long given up; make it reconnect cleanly
                }
            }
            if (!listening) {
                listen().onComplete(p);
            } else {
                p.complete();
            }
        });
        return p.future();
    }

    /** Ends silent mode on the same sockets: they are read again; what was not sent meanwhile is lost. */
    Future<Void> resume() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            if (silent) {
                silent = false;
                sessions.forEach(AmiSession::resume);
            }
            p.complete();
        });
        return p.future();
    }

    /**
     * The AMI connections break while Asterisk runs on: every AMI socket closes, calls go on and what they
     * emit meanwhile reaches nobody; for {@code forMs} new connections are closed at once. A later login
     * finds the calls through CoreShowChannels.
     */
    Future<Void> cutAmi(long forMs) {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            amiCutUntil = System.currentTimeMillis() + Math.max(0, forMs);
            for (AmiSession s : List.copyOf(sessions)) {
                s.close();
            }
            sessions.clear();
            p.complete();
        });
        return p.future();
    }

    /** Delays every AMI response and event of this node by {@code ms} (0 restores); order is kept. */
    Future<Void> slow(long ms) {
        delayMs = Math.max(0, ms);
        return Future.succeededFuture();
    }

    /** Runs a dial-in on this node; the future completes (on this node's context) when the call has ended. */
    Future<DialinCall.Result> dialin(DialinCall.Request req) {
        Promise<DialinCall.Result> p = Promise.promise();
        context.runOnContext(v -> {
            if (!listening) {
                p.fail(new IllegalStateException("node " + cfg.id() + " is down"));
                return;
            }
            DialinCall call = new DialinCall(this, req, log);
            dialins.put(call.key(), call);
            call.start();
            call.result().onComplete(p);
        });
        return p.future();
    }

    /** Hangs like a stuck Asterisk: sockets stay open, nothing is read or written. */
    Future<Void> silence() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            silent = true;
            sessions.forEach(AmiSession::pause);
            p.complete();
        });
        return p.future();
    }

    private void dropEverything() {
        for (AmiSession s : List.copyOf(sessions)) {
            s.close();
        }
        sessions.clear();
        for (LiveCall c : allLive()) {
            c.drop();
        }
        live.clear();
        dialins.clear();
    }

    // ---- used by sessions and calls ----

    String id() { return cfg.id(); }
    String user() { return cfg.user(); }
    String secret() { return cfg.secret(); }
    Vertx vertx() { return vertx; }
    FastAgiClient agi() { return agi; }
    AstDb astDb() { return astDb; }
    Scenario scenario() { return cfg.scenario(); }
    Dialplan dialplan() { return cfg.dialplan(); }
    String global(String name) { return globals.get(name); }
    EventFilter eventFilter() { return cfg.eventFilter(); }
    int port() { return boundPort; }
    int maxChannels() { return cfg.maxChannels(); }
    int active() { return live.size(); }
    int peak() { return peak.get(); }
    long originates() { return originates.get(); }
    boolean listening() { return listening; }
    boolean silent() { return silent; }
    long delayMs() { return delayMs; }
    long uptimeSeconds() { return (System.currentTimeMillis() - startedAt) / 1000; }

    /** Callbacks and dial-ins: everything that holds channels now. */
    private List<LiveCall> allLive() {
        List<LiveCall> all = new ArrayList<>(live.size() + dialins.size());
        all.addAll(live.values());
        all.addAll(dialins.values());
        return all;
    }

    boolean hasLiveChannel(String channelId) {
        for (LiveCall c : allLive()) {
            if (c.hasChannel(channelId)) {
                return true;
            }
        }
        return false;
    }

    String nextChannelSuffix() {
        return String.format("%08x", channelSeq.getAndIncrement());
    }

    String nextUniqueid() {
        return (System.currentTimeMillis() / 1000) + "." + uniqueSeq.getAndIncrement();
    }

    void sessionClosed(AmiSession s) {
        sessions.remove(s);
    }

    /** A broadcast event: to every session whose event mask and eventfilter let it through. */
    void emit(AmiMessage event) {
        if (silent || sessions.isEmpty()) {
            return;
        }
        String privilege = event.get("Privilege");
        // encoded and filtered once, and only if a session takes it: the eventfilter is the node's user's
        String text = null;
        for (AmiSession s : sessions) {
            if (s.takes(privilege)) {
                if (text == null) {
                    text = event.encode();
                    if (!cfg.eventFilter().passes(text)) {
                        return;
                    }
                }
                s.send(text);
            }
        }
    }

    /**
     * Whether any session takes events of this class: when not, the caller need not build the event at
     * all (with Huibo's call,system mask, most of a call's events are dialplan and agi ones).
     */
    boolean anyoneTakes(String privilege) {
        if (silent) {
            return false;
        }
        for (AmiSession s : sessions) {
            if (s.takes(privilege)) {
                return true;
            }
        }
        return false;
    }

    void callEnded(SimCall call) {
        live.remove(call.key());
    }

    void dialinEnded(DialinCall call) {
        dialins.remove(call.key());
    }

    // ---- actions ----

    void originate(AmiSession session, AmiMessage a, String actionId) {
        originates.incrementAndGet();
        String channel = a.get("Channel");
        if (channel == null || channel.isEmpty()) {
            session.send(AmiMessage.response("Error", actionId).add("Message", "Channel not specified"));
            return;
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (String v : a.getAll("Variable")) {
            for (String kv : v.split(",")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    vars.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
                }
            }
        }
        SimCall.Request req = new SimCall.Request(actionId, channel, a.get("Context"), orDefault(a.get("Exten"), "s"),
            parseInt(a.get("Priority"), 1), Duration.ofMillis(parseInt(a.get("Timeout"), 30_000)),
            a.get("CallerID"), a.get("ChannelId"), a.get("OtherChannelId"), vars);
        session.send(AmiMessage.response("Success", actionId).add("Message", "Originate successfully queued"));
        // Let the queued response leave first, like Asterisk's async originate thread.
        context.runOnContext(v -> {
            if (!channel.regionMatches(true, 0, "Local/", 0, 6) || !channel.contains("@")) {
                SimCall.originateFailure(this, req, 0);
                log.add(new UnplacedOriginate(cfg.id(), req, java.time.Instant.now()));
                return;
            }
            if (live.size() >= cfg.maxChannels()) {
                // Like a channel that cannot be allocated (maxcalls reached): Reason 0, no channel events.
                SimCall.originateFailure(this, req, 0);
                log.add(new UnplacedOriginate(cfg.id(), req, java.time.Instant.now()));
                return;
            }
            SimCall call = new SimCall(this, req, log);
            live.put(call.key(), call);
            peak.accumulateAndGet(live.size(), Math::max);
            call.start();
        });
    }

    void coreShowChannels(AmiSession s, String id) {
        s.send(AmiMessage.response("Success", id).add("EventList", "start").add("Message", "Channels will follow"));
        int n = 0;
        for (LiveCall c : allLive()) {
            for (SimChannel ch : c.channels()) {
                AmiMessage m = new AmiMessage().add("Event", "CoreShowChannel").add("ActionID", id);
                ch.appendTo(m).add("Application", ch.application).add("ApplicationData", ch.applicationData)
                    .add("Duration", ch.duration()).add("BridgeId", ch.bridgeId);
                s.send(m);
                n++;
            }
        }
        s.send(new AmiMessage().add("Event", "CoreShowChannelsComplete").add("ActionID", id)
            .add("EventList", "Complete").add("ListItems", n));
    }

    void status(AmiSession s, AmiMessage a, String id) {
        String name = a.get("Channel");
        List<SimChannel> chans = new ArrayList<>();
        for (LiveCall c : allLive()) {
            for (SimChannel ch : c.channels()) {
                if (name == null || name.isEmpty() || ch.name.equals(name)) {
                    chans.add(ch);
                }
            }
        }
        if (name != null && !name.isEmpty() && chans.isEmpty()) {
            s.send(AmiMessage.response("Error", id).add("Message", "No such channel"));
            return;
        }
        s.send(AmiMessage.response("Success", id).add("EventList", "start").add("Message", "Channel status will follow"));
        for (SimChannel ch : chans) {
            AmiMessage m = AmiMessage.event("Status", "Call");
            ch.appendTo(m).add("Type", ch.type).add("DNID", "").add("EffectiveConnectedLineNum", "<unknown>")
                .add("EffectiveConnectedLineName", "<unknown>").add("TimeToHangup", 0).add("BridgeID", ch.bridgeId)
                .add("Application", ch.application).add("Data", ch.applicationData)
                .add("Nativeformats", "(ulaw)").add("Readformat", "ulaw").add("Readtrans", "")
                .add("Writeformat", "ulaw").add("Writetrans", "").add("Callgroup", 0).add("Pickupgroup", 0)
                .add("Seconds", ch.seconds());
            if (id != null) {
                m.add("ActionID", id);
            }
            s.send(m);
        }
        AmiMessage done = AmiMessage.event("StatusComplete", null);
        if (id != null) {
            done.add("ActionID", id);
        }
        s.send(done.add("EventList", "Complete").add("ListItems", chans.size()).add("Items", chans.size()));
    }

    void hangupAction(AmiSession s, AmiMessage a, String id) {
        String name = a.get("Channel");
        for (LiveCall c : allLive()) {
            if (name != null && c.hasChannelNamed(name)) {
                s.send(AmiMessage.response("Success", id).add("Message", "Channel Hungup"));
                // Without Cause the Hangup events say 0 (traces: hangup-action vs hangup-action-cause).
                c.hangupByAction(parseInt(a.get("Cause"), 0));
                return;
            }
        }
        s.send(AmiMessage.response("Error", id).add("Message", "No such channel"));
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null || s.isBlank() ? dflt : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static String orDefault(String s, String d) {
        return s == null || s.isEmpty() ? d : s;
    }
}
