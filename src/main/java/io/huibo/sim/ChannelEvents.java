package io.huibo.sim;

import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * The AMI events a channel emits as the dialplan runs on it, shared by originated calls and dial-ins so
 * both look alike on the wire. Runs on the node's event loop.
 */
final class ChannelEvents {
    private final SimNode node;

    ChannelEvents(SimNode node) {
        this.node = node;
    }

    void emit(AmiMessage m) {
        node.emit(m);
    }

    /**
     * Builds the event only when a session takes its class: a call runs dozens of Newexten, VarSet and
     * AGIExec events that Huibo's call,system mask never lets out.
     */
    private void emit(String name, String privilege, UnaryOperator<AmiMessage> fill) {
        if (node.anyoneTakes(privilege)) {
            node.emit(fill.apply(AmiMessage.event(name, privilege)));
        }
    }

    /** The dialplan moves to {@code priority} and runs {@code app(data)}. */
    void newexten(SimChannel ch, int priority, String app, String data) {
        ch.priority = priority;
        ch.application = app;
        ch.applicationData = data;
        emit("Newexten", "dialplan,all", m -> ch.appendTo(m)
            .add("Extension", ch.exten).add("Application", app).add("AppData", data));
    }

    void varSet(SimChannel ch, String name, String value) {
        emit("VarSet", "dialplan,all", m -> ch.appendTo(m).add("Variable", name).add("Value", value));
    }

    /** Set(CALLERID(...)) changed the channel's caller ID. */
    void newCallerid(SimChannel ch) {
        emit("NewCallerid", "call,all", m -> ch.appendTo(m).add("CID-CallingPres", "0 (Presentation Allowed, Not Screened)"));
    }

    void newState(SimChannel ch, int state) {
        ch.state = state;
        emit("Newstate", "call,all", ch::appendTo);
    }

    void hangupRequest(SimChannel ch, int cause) {
        emit("HangupRequest", "call,all", m -> ch.appendTo(m).add("Cause", cause));
    }

    void softHangupRequest(SimChannel ch, int cause) {
        emit("SoftHangupRequest", "call,all", m -> ch.appendTo(m).add("Cause", cause));
    }

    void hangup(SimChannel ch, int cause) {
        if (ch == null || !ch.alive) {
            return;
        }
        ch.alive = false;
        emit("Hangup", "call,all", m -> ch.appendTo(m).add("Cause", cause).add("Cause-txt", causeText(cause)));
    }

    /** AGIExecStart / AGIExecEnd for one AGI session, silent once {@code live} turns false. */
    FastAgiClient.Listener agiListener(SimChannel ch, BooleanSupplier live) {
        return new FastAgiClient.Listener() {
            @Override
            public void execStart(int id, String command) {
                if (live.getAsBoolean()) {
                    emit("AGIExecStart", "agi,all", m -> ch.appendTo(m).add("CommandId", id).add("Command", command));
                }
            }

            @Override
            public void execEnd(int id, String command, int code) {
                if (live.getAsBoolean()) {
                    emit("AGIExecEnd", "agi,all", m -> ch.appendTo(m).add("CommandId", id).add("Command", command)
                        .add("ResultCode", code).add("Result", code == 200 ? "Success" : "Failure"));
                }
            }
        };
    }

    static String causeText(int cause) {
        return switch (cause) {
            case 16 -> "Normal Clearing";
            case 17 -> "User busy";
            case 19 -> "User alerting, no answer";
            case 20 -> "Subscriber absent";
            case 21 -> "Call Rejected";
            case 34 -> "Circuit/channel congestion";
            case 38 -> "Network out of order";
            default -> "Unknown";
        };
    }
}
