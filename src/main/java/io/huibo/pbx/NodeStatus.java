package io.huibo.pbx;

import java.time.Instant;

/**
 * Snapshot of one node for health checks and the CLI.
 *
 * @param lastError      why the last login or the last connection failed; null when none
 * @param active         attempts in flight on this node (originate sent, result not yet emitted)
 * @param connectedSince when the current AMI session logged in; null unless CONNECTED
 */
public record NodeStatus(String id, State state, String lastError, int active, int maxCalls,
                         Instant connectedSince) {

    /**
     * Connection state of one AMI node. AUTH_FAILED is kept while the node retries slowly, so an
     * operator sees the reason instead of a generic DISCONNECTED. STANDBY: configured, but driven by
     * another Huibo instance, so this one keeps no AMI connection to it.
     */
    public enum State { CONNECTING, CONNECTED, DISCONNECTED, AUTH_FAILED, STANDBY }

    public int freeSlots() {
        return state == State.CONNECTED ? Math.max(0, maxCalls - active) : 0;
    }
}
