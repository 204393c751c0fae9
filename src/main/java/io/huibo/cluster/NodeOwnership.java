package io.huibo.cluster;

import io.huibo.config.NodeConfig;
import io.huibo.pbx.PbxNode;
import io.huibo.pbx.NodeStatus;
import io.huibo.pbx.PbxCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Asterisk nodes this instance drives. Each node has one owner at a time, through a lease in
 * Redis ({@link NodeLeases}) with a fencing token; the owner renews it every TTL/4 and is the only
 * instance with an AMI connection to the node. A node this instance does not own stays STANDBY: no
 * connection at all, rather than an idle one, because an idle AMI session still receives every event
 * of the node (Asterisk sends events to all sessions) and the owner's Originates would be reported to
 * every instance; and a standby connection would not make a takeover much faster, since the new owner
 * must list the live channels after taking over anyway.
 *
 * <p>Balance: an instance takes free nodes up to its fair share ({@link FairShare}), given the live
 * instances (heartbeats in the same tick). One holding more than its share stops starting calls on the
 * surplus (local drain) and gives it up once nothing runs there, so the next owner never has to adopt
 * anything in the normal case.
 *
 * <p>Fencing: every attempt is marked in Redis with the node's token before its Originate
 * ({@code CallbackQueue#markDialing}); an instance that lost a node (expired lease, a later token)
 * cannot start a call there. A renewal that does not hold ({@code lost}) stops the node at once. The
 * lease counts as valid here only while the last renewal that held was sent less than 2/3 of the TTL
 * ago, measured on this process' monotonic clock ({@link #leaseValid}): Redis starts the TTL when the
 * renewal arrives, later than it was sent, so the lease here always ends before it ends there. The
 * dispatcher asks before every Originate, and a tick that does not come back (its timeout is a quarter
 * of the TTL) stops the node once that time is up, before anyone else may take it.
 *
 * <p>Reload: {@link #reload(Vertx, Supplier)} applies the node list here and bumps a version in Redis;
 * every other instance sees the new version in its next tick and reads its own configuration source
 * again (the same file on a shared volume, or each host's copy, which the operator updates first). So
 * one {@code POST /v1/admin/reload} or SIGHUP reaches the whole cluster within a tick, and an instance
 * that missed it (down at the time) read the new list at its start anyway. A removed node stays listed
 * (as removing) until its owner has drained and released it, so every instance shows the same thing.
 *
 * <p>Confined to the Dispatcher's event loop; {@link #view()} may be read from anywhere.
 */
public final class NodeOwnership {
    private static final Logger log = LoggerFactory.getLogger(NodeOwnership.class);

    /** What the dispatcher is told and asked. */
    public interface Listener {
        /** Attempts of this instance still set up or running on the node (they keep it from being given up). */
        int busy(String node);

        /** The node was taken away (lease lost): its attempts must be handed to the next owner. */
        void lost(String node);
    }

    /** The configuration diff applied by {@link #reload}. */
    public record Reload(List<String> added, List<String> removed, List<String> changed) {
    }

    private final NodeLeases leases;
    private final PbxCluster cluster;
    private final Function<NodeConfig, PbxNode> factory;
    private final String me;
    private final String agiAddress;
    private final Duration ttl;
    private final LongSupplier nanoTime;
    private Listener listener = new Listener() {
        @Override
        public int busy(String node) {
            return 0;
        }

        @Override
        public void lost(String node) {
        }
    };

    private final Map<String, Long> tokens = new HashMap<>();
    /** nanoTime when the last renewal (or acquire) that held was sent. Read by leaseValid from the dispatcher's loop. */
    private final Map<String, Long> renewedAt = new HashMap<>();
    private volatile Map<String, String> peers = Map.of();
    /** Surplus nodes: no new calls, given up once idle. */
    private final Set<String> handingOff = new HashSet<>();
    /** Removed from the configuration: drained, then dropped. Read by the API from other threads. */
    private final Set<String> retiring = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Changed in the configuration: the new settings take effect once the old node is gone. */
    private final Map<String, NodeConfig> replacing = new HashMap<>();
    private volatile Map<String, NodeLeases.View> view = Map.of();
    private volatile int liveInstances = 1;
    private boolean ticking;
    private boolean stopped;
    private boolean tookNode;
    private volatile Context ctx;
    private final Vertx vertx;
    /** This instance's own node list source, read again when another instance published a reload. */
    private final Supplier<List<NodeConfig>> source;
    private final List<Consumer<List<NodeConfig>>> reloadListeners =
            new CopyOnWriteArrayList<>();
    /** The node list version last applied here; -1 until the first tick. */
    private long configVersion = -1;
    private boolean following;

    /**
     * @param agiAddress this instance's FastAGI address (host:port), published for the others' Originates
     * @param nanoTime   monotonic clock ({@code System::nanoTime}; tests control it)
     * @param vertx      runs {@code source} on a worker thread
     * @param source     reads this instance's node list again (blocking) when another instance reloaded;
     *                   null: reloads elsewhere are not followed
     */
    public NodeOwnership(NodeLeases leases, PbxCluster cluster, Function<NodeConfig, PbxNode> factory, String me,
                         String agiAddress, Duration ttl, LongSupplier nanoTime, Vertx vertx,
                         Supplier<List<NodeConfig>> source) {
        this.vertx = vertx;
        this.source = source;
        this.leases = leases;
        this.cluster = cluster;
        this.factory = factory;
        this.me = me;
        this.agiAddress = agiAddress;
        this.ttl = ttl;
        this.nanoTime = nanoTime;
    }

    /** Called by the Dispatcher on its context: everything here runs there. */
    public void bind(Context context, Listener l) {
        this.ctx = context;
        this.listener = l;
    }

    /** Sets the shared drain flag (every instance, whoever owns the node) and applies it here at once. */
    public Future<Void> drain(String node, boolean draining) {
        return leases.setDraining(node, draining).compose(v -> onLoop(() -> {
            drainChanged(node, draining);
            return null;
        }));
    }

    /**
     * {@link #reload(List)} with a fresh node list read by {@code source} (on a worker thread), then
     * published so the other instances reload theirs (see the class comment). A list that does not
     * load fails the future and changes nothing anywhere.
     */
    public Future<Reload> reload(Vertx vertx, Supplier<List<NodeConfig>> source) {
        return vertx.executeBlocking(source::get, false).compose(list -> onLoop(() -> reload(list)))
                .compose(r -> leases.publishReload().compose(version -> onLoop(() -> {
                    // a version that jumped means another reload came meanwhile: follow it in the next tick
                    if (version == configVersion + 1) {
                        configVersion = version;
                    }
                    return r;
                }), e -> {
                    log.warn("reload applied here but not published to the other instances: {}", e.toString());
                    return Future.succeededFuture(r);
                }));
    }

    /** Another instance reloaded: read our own source and apply it, once at a time. */
    private void follow(long version) {
        if (following || source == null || vertx == null) {
            return;
        }
        following = true;
        log.info("node list version {} published by another instance: reloading ours", version);
        vertx.executeBlocking(source::get, false).onComplete(ar -> ctx.runOnContext(v -> {
            following = false;
            if (ar.failed()) {
                // the version is taken as seen: retrying a broken file every tick would only repeat the error
                log.warn("node list not reloaded: {}", ar.cause().getMessage());
                configVersion = version;
                return;
            }
            if (!stopped) {
                reload(ar.result());
                configVersion = Math.max(configVersion, version);
            }
        }));
    }

    /** The node was removed from the configuration and is draining until its owner gives it up. */
    public boolean removing(String node) {
        return retiring.contains(node);
    }

    private <T> Future<T> onLoop(Supplier<T> work) {
        Context caller = Vertx.currentContext();
        Promise<T> p = Promise.promise();
        Context c = ctx;
        if (c == null) {
            return Future.failedFuture(new IllegalStateException("the dispatcher is not running"));
        }
        c.runOnContext(v -> {
            try {
                T r = work.get();
                complete(caller, p, r, null);
            } catch (RuntimeException e) {
                complete(caller, p, null, e);
            }
        });
        return p.future();
    }

    private static <T> void complete(Context caller, Promise<T> p, T value, Throwable error) {
        Runnable r = () -> {
            if (error == null) {
                p.complete(value);
            } else {
                p.fail(error);
            }
        };
        if (caller == null) {
            r.run();
        } else {
            caller.runOnContext(v -> r.run());
        }
    }

    public String instance() {
        return me;
    }

    public Duration tickInterval() {
        // a quarter of the TTL: a dead owner's node is noticed at most TTL + TTL/4 after its last renewal
        return Duration.ofMillis(Math.max(100, ttl.toMillis() / 4));
    }

    /** The fencing token of an owned node, 0 if not owned. */
    public long token(String node) {
        return tokens.getOrDefault(node, 0L);
    }

    public boolean owns(String node) {
        return tokens.containsKey(node);
    }

    /**
     * Owned, and the last renewal that held was sent less than 2/3 of the TTL ago: the lease cannot have
     * run out in Redis yet, whatever a pending tick will say. Checked before every Originate.
     */
    public boolean leaseValid(String node) {
        Long at = renewedAt.get(node);
        return at != null && tokens.containsKey(node) && nanoTime.getAsLong() - at < validFor();
    }

    private long validFor() {
        return ttl.toNanos() * 2 / 3;
    }

    /** The FastAGI addresses of the other live instances (from their heartbeats), for HUIBO_AGI_2 and on. */
    public List<String> peerAgiAddresses() {
        List<String> others = new ArrayList<>();
        peers.forEach((id, addr) -> {
            if (!id.equals(me) && !addr.equals(agiAddress)) {
                others.add(addr);
            }
        });
        return others;
    }

    public List<String> owned() {
        return List.copyOf(tokens.keySet());
    }

    /** The last shared view of every configured node (owner, drain flag, the owner's status JSON). */
    public Map<String, NodeLeases.View> view() {
        return view;
    }

    public int liveInstances() {
        return liveInstances;
    }

    /** Records a drain flag change made through the API, so this instance's view shows it at once. */
    private void drainChanged(String node, boolean draining) {
        Map<String, NodeLeases.View> v = new LinkedHashMap<>(view);
        NodeLeases.View old = v.get(node);
        if (old != null) {
            v.put(node, new NodeLeases.View(node, old.owner(), old.token(), draining, old.status()));
            view = Map.copyOf(v);
        }
        cluster.node(node).ifPresent(n -> n.setDraining(draining || handingOff.contains(node)
                || retiring.contains(node)));
    }

    /** One round: heartbeat, renewals, view, then give up and take nodes as the fair share says. */
    public Future<Void> tick() {
        if (stopped) {
            return Future.succeededFuture();
        }
        // whatever the pending tick is doing: a lease that may have run out stops its node now
        loseExpired("no renewal held for 2/3 of the lease");
        if (ticking) {
            return Future.succeededFuture();
        }
        ticking = true;
        long sent = nanoTime.getAsLong();
        List<NodeLeases.Held> held = new ArrayList<>();
        tokens.forEach((node, token) -> cluster.node(node)
                .ifPresent(n -> held.add(new NodeLeases.Held(node, token, statusJson(n)))));
        List<String> configured = cluster.nodes().stream().map(PbxNode::id).toList();
        return leases.tick(me, agiAddress, ttl, ttl, held, configured, tickTimeout())
                .compose(t -> apply(t, sent))
                .recover(e -> {
                    log.warn("node ownership tick failed: {}", e.toString());
                    loseExpired("lease could not be renewed: " + e.getMessage());
                    return Future.succeededFuture();
                })
                .onComplete(ar -> {
                    ticking = false;
                    if (tookNode) {
                        // publish the new node's status now rather than a tick later
                        tookNode = false;
                        tick();
                    }
                });
    }

    /** A tick that has not come back by then is given up: well before a lease could run out. */
    Duration tickTimeout() {
        return Duration.ofMillis(Math.max(50, ttl.toMillis() / 4));
    }

    private void loseExpired(String why) {
        for (String node : List.copyOf(tokens.keySet())) {
            if (!leaseValid(node)) {
                lose(node, why);
            }
        }
    }

    private Future<Void> apply(NodeLeases.Tick t, long sent) {
        liveInstances = t.liveInstances();
        peers = Map.copyOf(t.peers());
        view = Map.copyOf(t.nodes());
        if (configVersion < 0) {
            // our list was read at start, after any earlier reload
            configVersion = t.configVersion();
        } else if (t.configVersion() > configVersion) {
            follow(t.configVersion());
        }
        for (NodeLeases.View v : t.nodes().values()) {
            cluster.published(v.node(), owns(v.node()) ? null : published(v));
        }
        t.renewed().forEach((node, ok) -> {
            if (ok && tokens.containsKey(node)) {
                renewedAt.put(node, sent);
            } else if (!ok && tokens.containsKey(node)) {
                lose(node, "lease lost to another instance");
            }
        });
        List<Future<?>> work = new ArrayList<>();
        // retired nodes leave once nobody drives them any more (here or elsewhere: the owner drains first)
        for (String node : List.copyOf(retiring)) {
            NodeLeases.View v = t.nodes().get(node);
            if (!owns(node) && (v == null || v.owner() == null || v.owner().equals(me))) {
                retiring.remove(node);
                work.add(cluster.remove(node).onComplete(ar -> {
                    log.info("node {} removed", node);
                    NodeConfig next = replacing.remove(node);
                    if (next != null) {
                        cluster.addStandby(factory.apply(next));
                    }
                }));
            }
        }
        List<String> eligible = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        for (NodeLeases.View v : t.nodes().values()) {
            if (!retiring.contains(v.node())) {
                eligible.add(v.node());
            }
            if (v.owner() != null) {
                owners.put(v.node(), v.owner());
            }
        }
        FairShare.Plan plan = FairShare.plan(eligible, owners, me, t.liveInstances());
        handingOff.retainAll(tokens.keySet());
        handingOff.removeIf(n -> !plan.release().contains(n));
        handingOff.addAll(plan.release());
        for (PbxNode n : cluster.nodes()) {
            NodeLeases.View v = t.nodes().get(n.id());
            n.setDraining((v != null && v.draining()) || handingOff.contains(n.id()) || retiring.contains(n.id()));
        }
        for (String node : List.copyOf(tokens.keySet())) {
            if ((handingOff.contains(node) || retiring.contains(node)) && idle(node)) {
                work.add(release(node));
            }
        }
        for (String node : plan.acquire()) {
            work.add(acquire(node));
        }
        return Future.join(work).mapEmpty();
    }

    private boolean idle(String node) {
        PbxNode n = cluster.node(node).orElse(null);
        return (n == null || n.active() == 0) && listener.busy(node) == 0;
    }

    private Future<Void> acquire(String node) {
        long sent = nanoTime.getAsLong();
        return leases.acquire(node, me, ttl).compose(token -> {
            if (token <= 0 || stopped) {
                return Future.succeededFuture();
            }
            PbxNode n = cluster.node(node).orElse(null);
            if (n == null) {
                return leases.release(node, me, token).mapEmpty();
            }
            tokens.put(node, token);
            renewedAt.put(node, sent);
            log.info("took node {} (token {}); {} live instance(s), share {}", node, token, liveInstances,
                    FairShare.share(cluster.nodes().size(), liveInstances));
            tookNode = true;
            return n.start();
        });
    }

    private Future<Void> release(String node) {
        Long token = tokens.remove(node);
        renewedAt.remove(node);
        handingOff.remove(node);
        if (token == null) {
            return Future.succeededFuture();
        }
        log.info("giving node {} up", node);
        Future<Void> stop = cluster.node(node).map(PbxNode::stop).orElse(Future.succeededFuture());
        return stop.compose(v -> leases.release(node, me, token)).mapEmpty();
    }

    private void lose(String node, String why) {
        if (tokens.remove(node) == null) {
            return;
        }
        renewedAt.remove(node);
        handingOff.remove(node);
        log.warn("lost node {}: {}", node, why);
        cluster.node(node).ifPresent(PbxNode::stop);
        listener.lost(node);
    }

    /**
     * Applies a new node list: new nodes join as STANDBY (then the fair share decides), removed ones
     * drain and leave once nothing runs there, changed ones are replaced the same way.
     */
    public Reload reload(List<NodeConfig> configs) {
        Reload r = applyReload(configs);
        List<NodeConfig> now = List.copyOf(configs);
        reloadListeners.forEach(l -> l.accept(now));
        return r;
    }

    /**
     * Called on this verticle's loop with every node list applied by a reload (here, by the API, by
     * SIGHUP, or following another instance's reload): what depends on the node list (the FastAGI
     * allowlist) follows it. Must not block.
     */
    public void onReload(Consumer<List<NodeConfig>> listener) {
        reloadListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private Reload applyReload(List<NodeConfig> configs) {
        Map<String, NodeConfig> next = new LinkedHashMap<>();
        configs.forEach(c -> next.put(c.id(), c));
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (PbxNode n : cluster.nodes()) {
            NodeConfig c = next.get(n.id());
            if (c == null) {
                if (retiring.add(n.id())) {
                    removed.add(n.id());
                }
                replacing.remove(n.id());
            } else if (!c.equals(n.config()) && !c.equals(replacing.get(n.id()))) {
                retiring.add(n.id());
                replacing.put(n.id(), c);
                changed.add(n.id());
            }
        }
        for (NodeConfig c : configs) {
            if (cluster.node(c.id()).isEmpty()) {
                cluster.addStandby(factory.apply(c));
                added.add(c.id());
            } else if (retiring.contains(c.id()) && !replacing.containsKey(c.id())
                    && c.equals(cluster.node(c.id()).get().config())) {
                // removed, then put back before it left: keep it
                retiring.remove(c.id());
            }
        }
        for (String id : retiring) {
            cluster.node(id).ifPresent(n -> n.setDraining(true));
        }
        log.info("reloaded nodes: added {}, removed {}, changed {}", added, removed, changed);
        return new Reload(added, removed, changed);
    }

    /** Stops taking nodes and gives every owned one up; the caller hands running attempts over first. */
    public Future<Void> shutdown() {
        stopped = true;
        List<Future<Void>> all = new ArrayList<>();
        for (String node : List.copyOf(tokens.keySet())) {
            all.add(release(node));
        }
        return Future.join(all).compose(v -> leases.leave(me), e -> leases.leave(me)).mapEmpty();
    }

    /** The owner's status as it published it ({@link #statusJson}); null when none or unreadable. */
    private static NodeStatus published(NodeLeases.View v) {
        if (v.owner() == null || v.status() == null) {
            return null;
        }
        try {
            JsonObject o = new JsonObject(v.status());
            NodeStatus.State state = NodeStatus.State.valueOf(o.getString("state", "").toUpperCase());
            String since = o.getString("connectedSince");
            return new NodeStatus(v.node(), state, o.getString("lastError"), o.getInteger("active", 0),
                    o.getInteger("maxCalls", 0), since == null ? null : Instant.parse(since));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String statusJson(PbxNode n) {
        NodeStatus s = n.status();
        return new JsonObject()
                .put("state", s.state().name().toLowerCase())
                .put("active", s.active())
                .put("maxCalls", s.maxCalls())
                .put("lastError", s.lastError())
                .put("connectedSince", s.connectedSince() == null ? null : s.connectedSince().toString())
                .put("originateRate", Math.round(n.originateRate() * 10) / 10.0)
                .encode();
    }
}
