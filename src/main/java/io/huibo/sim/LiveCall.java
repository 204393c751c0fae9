package io.huibo.sim;

import java.util.List;

/** A call a node holds channels for: an originated callback or a dial-in. Node event loop only. */
interface LiveCall {
    String key();

    /** The call's channels that are still up. */
    List<SimChannel> channels();

    /** AMI Hangup action on one of its channels. */
    void hangupByAction(int cause);

    /** The node died: the call vanishes without events. */
    void drop();

    default boolean hasChannel(String uniqueid) {
        for (SimChannel c : channels()) {
            if (c.uniqueid.equals(uniqueid)) {
                return true;
            }
        }
        return false;
    }

    default boolean hasChannelNamed(String name) {
        for (SimChannel c : channels()) {
            if (c.name.equals(name)) {
                return true;
            }
        }
        return false;
    }
}
