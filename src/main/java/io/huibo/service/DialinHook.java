package io.huibo.service;

import io.vertx.core.Future;

/**
 * The decisions of the dial-in hook, one per step of the dialplan's [huibo-dialin] context. Inputs
 * are the raw strings from the channel (caller ID, keyed digits); implementations validate them.
 * Futures complete on the caller's Vert.x context.
 */
public interface DialinHook {

    /**
     * Whether the number the caller dialed (the channel's extension in [huibo-dialin]) is an access
     * number; asked before every step, since any step can come first.
     */
    boolean accessAllowed(String dialed);

    /** The caller dialed the access number. */
    Future<DialinResult> call(String callerId);

    /** The caller keyed in a PIN. */
    Future<DialinResult> pin(String callerId, String pin);

    /** The caller keyed in the destination; {@code pin} is the one keyed before (checked again), or empty. */
    Future<DialinResult> destination(String callerId, String digits, String pin);
}
