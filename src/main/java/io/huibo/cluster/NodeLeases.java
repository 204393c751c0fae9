package io.huibo.cluster;

import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who drives which Asterisk node, in Redis, under the queue's hash tag. Every time is Redis {@code TIME}.
 *
 * <p>Keys: {@code instances} zset instance -> heartbeat expiry; {@code agi} hash instance -> its FastAGI
 * address; {@link #LEASES} hash node -> {@code owner|token|expiry} (the ownership lease; the token comes
 * from {@code nodefence}, so a later owner always has a higher one); {@code nodestatus} hash node ->
 * {@code expiry|json}, the owner's last published status; {@link #DRAINING} set of drained node ids,
 * shared by all instances; {@code nodesversion} counter bumped by every reload of the node list, so every
 * instance reloads. The queue's scripts read the leases and drain set too (an attempt is marked only
 * on a node its claimer holds).
 */
public final class NodeLeases {

    /** Key names the queue's scripts share with these. */
    public static final String LEASES = "nodelease";
    public static final String DRAINING = "draining";

    /** One node as every instance sees it. {@code owner} and {@code status} are null when none. */
    public record View(String node, String owner, long token, boolean draining, String status) {
    }

    /**
     * What one tick learned: live instances (including the caller), which renewals held, every node, the
     * version of the node list ({@link #publishReload}; 0 before the first reload), and the FastAGI
     * address of every live instance (the caller included).
     */
    public record Tick(int liveInstances, Map<String, Boolean> renewed, Map<String, View> nodes,
                       long configVersion, Map<String, String> peers) {
    }

    /** A lease the caller holds, and the status it publishes for the node. */
    public record Held(String node, long token, String statusJson) {
    }

    private final RedisScripts redis;
    private final RedisScripts.Script tick;
    private final RedisScripts.Script acquire;
    private final RedisScripts.Script release;
    private final RedisScripts.Script drain;
    private final RedisScripts.Script reload;
    private final RedisScripts.Script leave;

    /** Loads the scripts (blocking: call it at start). */
    public NodeLeases(RedisScripts redis) {
        this.redis = redis;
        this.tick = redis.script(NodeLeases.class, "nodeTick");
        this.acquire = redis.script(NodeLeases.class, "nodeAcquire");
        this.release = redis.script(NodeLeases.class, "nodeRelease");
        this.drain = redis.script(NodeLeases.class, "nodeDrain");
        this.reload = redis.script(NodeLeases.class, "nodesReload");
        this.leave = redis.script(NodeLeases.class, "instanceLeave");
    }

    /**
     * Heartbeat of {@code me} with its FastAGI address, renewal of the leases it holds, and the view of
     * {@code configured} nodes, in one script; fails after {@code timeout} even if Redis stays silent.
     */
    public Future<Tick> tick(String me, String agiAddress, Duration instanceTtl, Duration nodeTtl, List<Held> held,
                             List<String> configured, Duration timeout) {
        List<String> args = new ArrayList<>();
        args.add(me);
        args.add(RedisScripts.nz(agiAddress));
        args.add(Long.toString(instanceTtl.toMillis()));
        args.add(Long.toString(nodeTtl.toMillis()));
        args.add(Integer.toString(held.size()));
        for (Held h : held) {
            args.add(h.node());
            args.add(Long.toString(h.token()));
            args.add(h.statusJson());
        }
        args.addAll(configured);
        List<String> keys = List.of(redis.key("instances"), redis.key("agi"), redis.key(LEASES),
                redis.key("nodestatus"), redis.key(DRAINING), redis.key("nodesversion"));
        return redis.<List<Object>>run(tick, ScriptOutputType.MULTI, timeout, keys, args).map(flat -> {
            int live = (int) RedisScripts.num(flat.get(0));
            Map<String, Boolean> renewed = new LinkedHashMap<>();
            int i = 1;
            for (Held h : held) {
                renewed.put(h.node(), RedisScripts.num(flat.get(i++)) == 1L);
            }
            Map<String, View> nodes = new LinkedHashMap<>();
            for (String node : configured) {
                String owner = RedisScripts.str(flat.get(i));
                String token = RedisScripts.str(flat.get(i + 1));
                boolean draining = RedisScripts.num(flat.get(i + 2)) == 1L;
                String status = RedisScripts.str(flat.get(i + 3));
                i += 4;
                nodes.put(node, new View(node, owner, token == null ? 0 : Long.parseLong(token), draining, status));
            }
            long version = RedisScripts.num(flat.get(i++));
            Map<String, String> peers = new LinkedHashMap<>();
            for (; i + 1 < flat.size(); i += 2) {
                String addr = RedisScripts.str(flat.get(i + 1));
                if (addr != null) {
                    peers.put(RedisScripts.str(flat.get(i)), addr);
                }
            }
            return new Tick(live, renewed, nodes, version, peers);
        });
    }

    /** Takes a node nobody holds; the fencing token, or 0 if someone does. */
    public Future<Long> acquire(String node, String me, Duration ttl) {
        return redis.run(acquire, ScriptOutputType.INTEGER, List.of(redis.key(LEASES), redis.key("nodefence")),
                List.of(node, me, Long.toString(ttl.toMillis())));
    }

    /** Gives a node up; false if the lease was not (any more) {@code me}'s with this token. */
    public Future<Boolean> release(String node, String me, long token) {
        return redis.<Long>run(release, ScriptOutputType.INTEGER,
                        List.of(redis.key(LEASES), redis.key("nodestatus")), List.of(node, me, Long.toString(token)))
                .map(r -> r == 1L);
    }

    /** Sets or clears the shared drain flag. */
    public Future<Void> setDraining(String node, boolean draining) {
        return redis.<Long>run(drain, ScriptOutputType.INTEGER, List.of(redis.key(DRAINING)),
                List.of(node, draining ? "1" : "0")).mapEmpty();
    }

    /**
     * Tells every instance that the node list was reloaded: each one sees the new version in its next
     * tick and reads its own configuration source again. Returns the new version.
     */
    public Future<Long> publishReload() {
        return redis.run(reload, ScriptOutputType.INTEGER, List.of(redis.key("nodesversion")), List.of());
    }

    /** Removes {@code me}'s heartbeat and address, so the others count one instance less at once. */
    public Future<Void> leave(String me) {
        return redis.<Long>run(leave, ScriptOutputType.INTEGER, List.of(redis.key("instances"), redis.key("agi")),
                List.of(me)).mapEmpty();
    }
}
