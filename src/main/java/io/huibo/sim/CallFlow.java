package io.huibo.sim;

import io.huibo.sim.dialplan.Dialplan;
import java.time.Duration;

/**
 * What a call gives the channels running the dialplan in it ({@link PbxRun}): the node, its events and timers,
 * the people at the ends, and what the call does when a channel signals, answers or goes. The channel driver's
 * part (Local pair, PJSIP) lives behind these hooks, the dialplan's part in the applications.
 */
interface CallFlow {
    SimNode node();

    ChannelEvents events();

    Dialplan dialplan();

    boolean ended();

    /** A timer that does nothing once the call has ended. */
    long timer(Duration d, Runnable r);

    void cancelTimer(long id);

    /** Who a Dial() on {@code caller} reaches with {@code dialString}. */
    Callee callee(PbxRun caller, String dialString);

    /** Who hears the prompts played on {@code run}'s channel. */
    Person listener(PbxRun run);

    /** A Dial() on {@code caller} rings {@code callee}. */
    default void calleeRinging(PbxRun caller, SimChannel callee) {}

    /** A Dial() callee of {@code caller} answered (after Dial's own events and U()). */
    default void calleeAnswered(PbxRun caller, SimChannel callee) {}

    /** Busy() or Congestion() signalled {@code cause} on a channel that may not be answered yet. */
    default void indicated(PbxRun run, int cause) {}

    /** Answer() on {@code run}'s channel. */
    default void answered(PbxRun run) {}

    /** The dialplan of {@code run} is over (before its h extension runs). */
    default void pbxEnding(PbxRun run) {}

    /** {@code run}'s channel is gone: emit its Hangup and tell whoever depends on it. */
    void channelGone(PbxRun run);
}
