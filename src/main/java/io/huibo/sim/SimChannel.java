package io.huibo.sim;

/**
 * A simulated Asterisk channel. Mutable because a channel's state, dialplan location and application
 * change as the call runs; it is only touched on its node's event loop.
 */
final class SimChannel {
    final String name;
    final String uniqueid;
    final String linkedid;
    final String type;
    final long createdAt = System.currentTimeMillis();
    int state;
    String context;
    String exten;
    int priority;
    String callerIdNum = "<unknown>";
    String callerIdName = "<unknown>";
    String connectedNum = "<unknown>";
    String connectedName = "<unknown>";
    String application = "";
    String applicationData = "";
    /** The bridge this channel is in, as CoreShowChannels reports it; empty when not bridged. */
    String bridgeId = "";
    /** What agi_dnid says: the number dialed for an incoming call, "unknown" for originated ones. */
    String dnid = "unknown";
    /** agi_callingpres: 67 on Local channels, 0 for a SIP caller (traces). */
    int callingPres = 67;
    /** ${HANGUPCAUSE}: 0 until a failed Dial() takes over the callee's cause or the channel is hung up with one. */
    int hangupCause;
    boolean alive = true;
    /** The identity this channel was presented when it was dialed (SIP From); null for channels nobody dialed. */
    Identity presented;
    /** Connected-line updates this channel received, oldest first (re-INVITEs with send_rpid). */
    final java.util.List<Identity> connectedUpdates = new java.util.ArrayList<>();
    /** The channel Dial() bridged this one to, null while not bridged. */
    SimChannel bridgePeer;
    /** What happens when the person or trunk behind this channel hangs up (set by the Dial() that rang it). */
    java.util.function.IntConsumer farEndHangup = cause -> { };
    /** The other half of a Local channel pair, null for other channels. */
    SimChannel localPartner;

    SimChannel(String name, String uniqueid, String linkedid, String type, int state, String context, String exten, int priority) {
        this.name = name;
        this.uniqueid = uniqueid;
        this.linkedid = linkedid;
        this.type = type;
        this.state = state;
        this.context = context;
        this.exten = exten;
        this.priority = priority;
    }

    boolean isLocal() {
        return type.equals("Local");
    }

    /** CALLERID(num) as the dialplan reads it: "" when unknown. */
    String callerNum() {
        return callerIdNum.equals("<unknown>") ? "" : callerIdNum;
    }

    String callerName() {
        return callerIdName.equals("<unknown>") ? "" : callerIdName;
    }

    static String stateDesc(int state) {
        return switch (state) {
            case 0 -> "Down";
            case 4 -> "Ring";
            case 5 -> "Ringing";
            case 6 -> "Up";
            case 7 -> "Busy";
            default -> "Unknown";
        };
    }

    /** Appends the standard channel snapshot block, with a prefix such as "Dest" or "LocalOne". */
    AmiMessage appendTo(AmiMessage m, String prefix) {
        return m.add(prefix + "Channel", name)
            .add(prefix + "ChannelState", state)
            .add(prefix + "ChannelStateDesc", stateDesc(state))
            .add(prefix + "CallerIDNum", callerIdNum)
            .add(prefix + "CallerIDName", callerIdName)
            .add(prefix + "ConnectedLineNum", connectedNum)
            .add(prefix + "ConnectedLineName", connectedName)
            .add(prefix + "Language", "en")
            .add(prefix + "AccountCode", "")
            .add(prefix + "Context", context)
            .add(prefix + "Exten", exten)
            .add(prefix + "Priority", priority)
            .add(prefix + "Uniqueid", uniqueid)
            .add(prefix + "Linkedid", linkedid);
    }

    AmiMessage appendTo(AmiMessage m) {
        return appendTo(m, "");
    }

    String duration() {
        long s = Math.max(0, (System.currentTimeMillis() - createdAt) / 1000);
        return String.format("%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    long seconds() {
        return Math.max(0, (System.currentTimeMillis() - createdAt) / 1000);
    }
}
