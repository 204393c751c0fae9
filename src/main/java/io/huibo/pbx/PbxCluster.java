package io.huibo.pbx;

import io.vertx.core.Future;
import io.vertx.core.Handler;


import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The set of AMI nodes. Picks the least-loaded connected node for the next attempt. Nodes can be
 * added and removed at runtime (a sorted concurrent map, so reads never block and order is by id).
 */
public final class PbxCluster {
    private final Map<String, PbxNode> nodes = new ConcurrentSkipListMap<>();
    /** What the owners of nodes driven by other instances last published (see {@link #statuses()}). */
    private final Map<String, NodeStatus> published = new ConcurrentHashMap<>();
    private volatile Handler<AttemptResult> resultHandler;

    public PbxCluster(Collection<? extends PbxNode> initial) {
        for (PbxNode n : initial) {
            if (nodes.putIfAbsent(n.id(), n) != null) {
                throw new IllegalArgumentException("duplicate node id " + n.id());
            }
        }
    }

    /**
     * Results of every node (also of nodes added later), each delivered on its node's context: hop to
     * your own context if you share state with other code.
     */
    public void onAttemptResult(Handler<AttemptResult> h) {
        resultHandler = h;
        nodes.values().forEach(n -> n.onAttemptResult(h));
    }

    /** Starts every node; completes when each finished its first login attempt. */
    public Future<Void> start() {
        List<Future<Void>> all = new ArrayList<>();
        nodes.values().forEach(n -> all.add(n.start()));
        return Future.join(all).mapEmpty();
    }

    public Future<Void> stop() {
        List<Future<Void>> all = new ArrayList<>();
        nodes.values().forEach(n -> all.add(n.stop()));
        return Future.join(all).mapEmpty();
    }

    /** Adds and starts a node. Fails if the id is taken. */
    public Future<Void> add(PbxNode node) {
        if (nodes.putIfAbsent(node.id(), node) != null) {
            return Future.failedFuture(new IllegalArgumentException("duplicate node id " + node.id()));
        }
        Handler<AttemptResult> h = resultHandler;
        if (h != null) {
            node.onAttemptResult(h);
        }
        return node.start();
    }

    /**
     * Adds a node without starting it (STANDBY): in a cluster of instances only the node's owner starts
     * it. Fails if the id is taken.
     */
    public Future<Void> addStandby(PbxNode node) {
        if (nodes.putIfAbsent(node.id(), node) != null) {
            return Future.failedFuture(new IllegalArgumentException("duplicate node id " + node.id()));
        }
        Handler<AttemptResult> h = resultHandler;
        if (h != null) {
            node.onAttemptResult(h);
        }
        return Future.succeededFuture();
    }

    /** Removes a node from picking at once, then stops it. Calls in flight there are not touched. */
    public Future<Void> remove(String id) {
        PbxNode n = nodes.remove(id);
        published.remove(id);
        return n == null ? Future.succeededFuture() : n.stop();
    }

    /**
     * The connected node with a free slot and the lowest load (active / maxCalls), ties broken by id.
     * Advisory: {@link PbxNode#originate} reserves the slot atomically and refuses when full.
     */
    public Optional<PbxNode> pick() {
        return pick(PbxNode::freeSlots, n -> 0);
    }

    /**
     * The node with room left and the lowest load, ties broken by id. Room is {@code capacity} (what
     * the caller may use of a node now; 0 excludes it) minus {@code promised} (slots already promised
     * to attempts whose Originate is not sent yet); load is (active + promised) / maxCalls, divided by
     * the node's weight.
     */
    public Optional<PbxNode> pick(ToIntFunction<PbxNode> capacity, ToIntFunction<PbxNode> promised) {
        PbxNode best = null;
        double bestLoad = Double.MAX_VALUE;
        for (PbxNode n : nodes.values()) { // sorted by id: the first of equal loads wins
            int p = promised.applyAsInt(n);
            if (capacity.applyAsInt(n) - p <= 0) {
                continue;
            }
            double load = (double) (n.active() + p) / Math.max(1, n.maxCalls()) / n.weight();
            if (load < bestLoad) {
                bestLoad = load;
                best = n;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The largest {@link PbxNode#eventLagMillis()} of the nodes. */
    public long eventLagMillis() {
        long max = 0;
        for (PbxNode n : nodes()) {
            max = Math.max(max, n.eventLagMillis());
        }
        return max;
    }

    public int freeSlots() {
        int sum = 0;
        for (PbxNode n : nodes.values()) {
            sum += n.freeSlots();
        }
        return sum;
    }

    public Optional<PbxNode> node(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    public List<PbxNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /**
     * Every node as the cluster sees it: this instance's own status for the nodes it drives, the
     * owner's published one for a node another instance drives (so a refused login there shows here
     * too), STANDBY for a node nobody drives.
     */
    public List<NodeStatus> statuses() {
        return nodes.values().stream().map(n -> {
            NodeStatus own = n.status();
            NodeStatus theirs = published.get(n.id());
            return own.state() == NodeStatus.State.STANDBY && theirs != null ? theirs : own;
        }).toList();
    }

    /** The status the node's owner (another instance) published; null when nobody does. */
    public void published(String id, NodeStatus status) {
        if (status == null || !nodes.containsKey(id)) {
            published.remove(id);
        } else {
            published.put(id, status);
        }
    }
}
