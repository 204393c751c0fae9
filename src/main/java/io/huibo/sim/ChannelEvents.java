package io.huibo.sim;

import java.util.function.BooleanSupplier;

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

    /** The dialplan moves to {@code priority} and runs {@code app(data)}. */
    void newexten(SimChannel ch, int priority, String app, String data) {
        ch.priority = priority;
        ch.application = app;
        ch.applicationData = data;
        emit(ch.appendTo(AmiMessage.event("Newexten", "dialplan,all"))
            .add("Extension", ch.exten).add("Application", app).add("AppData", data));
    }

    void varSet(SimChannel ch, String name, String value) {
        emit(ch.appendTo(AmiMessage.event("VarSet", "dialplan,all")).add("Variable", name).add("Value", value));
    }

    void newState(SimChannel ch, int state) {
        ch.state = state;
        emit(ch.appendTo(AmiMessage.event("Newstate", "call,all")));
    }

    void hangupRequest(SimChannel ch, int cause) {
        emit(ch.appendTo(AmiMessage.event("HangupRequest", "call,all")).add("Cause", cause));
    }

    void softHangupRequest(SimChannel ch, int cause) {
        emit(ch.appendTo(AmiMessage.event("SoftHangupRequest", "call,all")).add("Cause", cause));
    }

    void hangup(SimChannel ch, int cause) {
        if (ch == null || !ch.alive) {
            return;
        }
        ch.alive = false;
        emit(ch.appendTo(AmiMessage.event("Hangup", "call,all")).add("Cause", cause).add("Cause-txt", causeText(cause)));
    }

    /** AGIExecStart / VarSet / AGIExecEnd for one AGI session, silent once {@code live} turns false. */
    FastAgiClient.Listener agiListener(SimChannel ch, BooleanSupplier live) {
        return new FastAgiClient.Listener() {
            @Override
            public void execStart(int id, String command) {
                if (live.getAsBoolean()) {
                    emit(ch.appendTo(AmiMessage.event("AGIExecStart", "agi,all")).add("CommandId", id).add("Command", command));
                }
            }

            @Override
            public void varSet(String name, String value) {
                if (live.getAsBoolean()) {
                    ChannelEvents.this.varSet(ch, name, value);
                }
            }

            @Override
            public void execEnd(int id, String command, int code) {
                if (live.getAsBoolean()) {
                    emit(ch.appendTo(AmiMessage.event("AGIExecEnd", "agi,all")).add("CommandId", id).add("Command", command)
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
