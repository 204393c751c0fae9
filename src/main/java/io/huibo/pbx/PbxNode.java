package io.huibo.pbx;

import io.huibo.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.util.List;

/**
 * One PBX node as the dispatcher and node ownership see it: what a caller may do, without how. The
 * Asterisk implementation ({@code pbx.ami.AmiNode}, on asterisk-java) sits behind it, as asterisk-java
 * puts {@code ManagerConnection} in front of {@code manager.internal}; tests drive the dispatcher with a
 * fake one.
 *
 * <p>Every future completes on the caller's Vert.x context. Counters and flags may be read from any thread.
 */
public interface PbxNode {

    String id();

    NodeConfig config();

    int maxCalls();

    /** The least-loaded choice divides this node's load by its weight (1 when unset). */
    double weight();

    /** A draining node takes no new attempts; those running finish. */
    void setDraining(boolean draining);

    boolean isDraining();

    /** The current Originates-per-second limit (lowered after timeouts and errors). */
    double originateRate();

    /**
     * How long the last call event waited between the wire and its handling, in ms; 0 when no event
     * came recently. A growing lag means this instance is not keeping up with its nodes.
     */
    long eventLagMillis();

    /** Attempts that can be started here right now: free slots, not draining, within the Originate rate. */
    int dialableNow();

    /** Attempts in flight on this node: Originates sent (or adopted) whose result was not emitted yet. */
    int active();

    boolean isConnected();

    /** Free call slots; 0 unless connected. */
    int freeSlots();

    NodeStatus status();

    /**
     * Starts the connection loop. Completes after the first connection attempt, whether it succeeded or
     * not: a node that is down keeps being retried in the background (see {@link #status()}).
     */
    Future<Void> start();

    /** Disconnects and stops retrying; tracked attempts are left alone (the node's next owner adopts them). */
    Future<Void> stop();

    /**
     * Sends an Originate. Completes when the node accepted it; fails with {@link OriginateException},
     * whose kind says whether the call may exist (then exactly one {@link AttemptResult} follows).
     */
    Future<Void> originate(OriginateRequest request);

    /**
     * Tracks a call found live on the node (after a restart or a takeover) until it ends; its result
     * comes through {@link #onAttemptResult}. False if it was tracked already.
     */
    Future<Boolean> adopt(String channelId, String callbackId, int attempt, LiveChannel live);

    /** The node's live channels now. Fails when the node cannot be asked (not connected, no answer). */
    Future<List<LiveChannel>> liveChannels();

    /**
     * What the node remembers of an attempt's legs ({@link OutcomeMemory}; empty parts when it remembers
     * nothing). Fails when the node cannot be asked: then nothing is known either way.
     */
    Future<OutcomeMemory> recall(String memoKey);

    /** One result per attempt, on the node's context. */
    void onAttemptResult(Handler<AttemptResult> handler);
}
