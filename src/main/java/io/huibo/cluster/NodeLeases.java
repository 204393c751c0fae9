package io.huibo.cluster;

import io.huibo.queue.CallbackQueue;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Who drives which Asterisk node, in Redis, on the queue's connection and under its hash tag.
 *
 * <p>Keys: {@code {P}:instances} zset instance -> heartbeat expiry; {@code {P}:node:<id>} hash
 * owner/token with a TTL (the ownership lease; the token comes from {@code {P}:nodefence}, so a later
 * owner always has a higher one); {@code {P}:nodestatus:<id>} the owner's last published status (JSON,
 * same TTL); {@code {P}:draining} set of drained node ids, shared by all instances;
 * {@code {P}:parked:<id>} callbacks waiting for the owner of node id (see {@link CallbackQueue#park});
 * {@code {P}:nodesversion} counter bumped by every reload of the node list, so every instance reloads.
 */
public final class NodeLeases {

    /** One node as every instance sees it. {@code owner} and {@code status} are null when none. */
    public record View(String node, String owner, long token, boolean draining, String status) {
    }

    /**
     * What one tick learned: live instances (including the caller), which renewals held, every node, and
     * the version of the node list ({@link #publishReload}; 0 before the first reload).
     */
    public record Tick(int liveInstances, Map<String, Boolean> renewed, Map<String, View> nodes,
                       long configVersion) {
    }

    /** A lease the caller holds, and the status it publishes for the node. */
    public record Held(String node, long token, String statusJson) {
    }

    private final CallbackQueue queue;

    public NodeLeases(CallbackQueue queue) {
        this.queue = queue;
    }

    /**
     * Heartbeat of {@code me}, renewal of the leases it holds, and the view of {@code configured} nodes,
     * in one script.
     */
    public Future<Tick> tick(String me, Instant now, Duration instanceTtl, Duration nodeTtl, List<Held> held,
                             List<String> configured) {
        List<String> args = new ArrayList<>();
        args.add(queue.base());
        args.add(me);
        args.add(Long.toString(now.toEpochMilli()));
        args.add(Long.toString(instanceTtl.toMillis()));
        args.add(Long.toString(nodeTtl.toMillis()));
        args.add(Integer.toString(held.size()));
        for (Held h : held) {
            args.add(h.node());
            args.add(Long.toString(h.token()));
            args.add(h.statusJson());
        }
        args.addAll(configured);
        CompletionStage<List<Object>> raw = queue.run(CallbackQueue.Script.NODE_TICK, ScriptOutputType.MULTI,
                args.toArray(String[]::new));
        return CallbackQueue.back(raw.thenApply(flat -> {
            int live = (int) CallbackQueue.num(flat.get(0));
            Map<String, Boolean> renewed = new LinkedHashMap<>();
            int i = 1;
            for (Held h : held) {
                renewed.put(h.node(), CallbackQueue.num(flat.get(i++)) == 1L);
            }
            Map<String, View> nodes = new LinkedHashMap<>();
            for (String node : configured) {
                String owner = CallbackQueue.str(flat.get(i));
                String token = CallbackQueue.str(flat.get(i + 1));
                boolean draining = CallbackQueue.num(flat.get(i + 2)) == 1L;
                String status = CallbackQueue.str(flat.get(i + 3));
                i += 4;
                nodes.put(node, new View(node, owner, token == null ? 0 : Long.parseLong(token), draining, status));
            }
            return new Tick(live, renewed, nodes, CallbackQueue.num(flat.get(i)));
        }));
    }

    /** Takes a node nobody holds; the fencing token, or 0 if someone does. */
    public Future<Long> acquire(String node, String me, Duration ttl) {
        CompletionStage<Long> raw = queue.run(CallbackQueue.Script.NODE_ACQUIRE, ScriptOutputType.INTEGER,
                queue.base(), node, me, Long.toString(ttl.toMillis()));
        return CallbackQueue.back(raw);
    }

    /** Gives a node up; false if the lease was not (any more) {@code me}'s with this token. */
    public Future<Boolean> release(String node, String me, long token) {
        CompletionStage<Long> raw = queue.run(CallbackQueue.Script.NODE_RELEASE, ScriptOutputType.INTEGER,
                queue.base(), node, me, Long.toString(token));
        return CallbackQueue.back(raw.thenApply(r -> r == 1L));
    }

    /** Sets or clears the shared drain flag. */
    public Future<Void> setDraining(String node, boolean draining) {
        CompletionStage<Long> raw = queue.run(CallbackQueue.Script.NODE_DRAIN, ScriptOutputType.INTEGER,
                queue.base(), node, draining ? "1" : "0");
        return CallbackQueue.<Long>back(raw).mapEmpty();
    }

    /**
     * Tells every instance that the node list was reloaded: each one sees the new version in its next
     * tick and reads its own configuration source again. Returns the new version.
     */
    public Future<Long> publishReload() {
        CompletionStage<Long> raw = queue.run(CallbackQueue.Script.NODES_RELOAD, ScriptOutputType.INTEGER,
                queue.base());
        return CallbackQueue.back(raw);
    }

    /** Removes {@code me}'s heartbeat, so the others count one instance less at once. */
    public Future<Void> leave(String me) {
        CompletionStage<Long> raw = queue.run(CallbackQueue.Script.INSTANCE_LEAVE, ScriptOutputType.INTEGER,
                queue.base(), me);
        return CallbackQueue.<Long>back(raw).mapEmpty();
    }
}
