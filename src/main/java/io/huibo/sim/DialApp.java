package io.huibo.sim;

import io.huibo.sim.dialplan.Args;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Dial(tech/resource,timeout,options) for one destination, with the events of the traces: the empty VarSets,
 * the callee's Newchannel/DialBegin/ringing, DialEnd and DIALSTATUS. The callee's behaviour is the call's
 * ({@link CallFlow#callee}). Options: {@code U(context^arg1^...)} runs {@code context,s,1} on the callee as
 * it answers, before the bridge; {@code I} ignores the callee's connected-line update; {@code S(x)} hangs
 * the call up x seconds after the callee answered, as Asterisk's app_dial does (an empty argument is no
 * limit: Dial ignores it; x of 0 or less fails the Dial). Without a timeout it rings until something else
 * ends it. Once bridged, the callee hanging up ends Dial with -1 (no {@code g}).
 */
final class DialApp implements App {
    static final String OPTIONS = "UIS";
    private static final String[] RESET = {"DIALSTATUS", "DIALEDPEERNUMBER", "DIALEDPEERNAME", "ANSWEREDTIME",
        "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS", "RINGTIME", "RINGTIME_MS", "PROGRESSTIME", "PROGRESSTIME_MS"};
    /** How long a busy or congested callee takes to say so. */
    private static final Duration REFUSAL = Duration.ofMillis(20);
    /** A channel that cannot be requested fails almost at once. */
    private static final Duration UNAVAILABLE = Duration.ofMillis(5);

    private record Options(String gosubContext, List<String> gosubArgs, boolean ignoreConnected, Duration limit) {
        static Options parse(String s) {
            String context = null;
            List<String> args = List.of();
            boolean ignore = false;
            Duration limit = null;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                String arg = null;
                if (i + 1 < s.length() && s.charAt(i + 1) == '(') {
                    int close = s.indexOf(')', i);
                    arg = s.substring(i + 2, close < 0 ? s.length() : close);
                    i = close < 0 ? s.length() : close;
                }
                switch (c) {
                    case 'U' -> {
                        List<String> parts = new ArrayList<>(List.of((arg == null ? "" : arg).split("\\^", -1)));
                        context = parts.remove(0);
                        args = parts;
                    }
                    case 'I' -> ignore = true;
                    case 'S' -> limit = duration(arg);
                    default -> throw new IllegalArgumentException("Dial option '" + c + "' is not supported");
                }
            }
            return new Options(context, args, ignore, limit);
        }

        /** S(x): seconds, fractions allowed; empty is no limit; not positive is refused (app_dial: "Dial does not accept S(x)"). */
        private static Duration duration(String arg) {
            if (arg == null || arg.isBlank()) {
                return null;
            }
            double seconds;
            try {
                seconds = Double.parseDouble(arg.trim());
            } catch (NumberFormatException e) {
                seconds = 0;
            }
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("Dial does not accept S(" + arg + ")");
            }
            return Duration.ofMillis(Math.round(seconds * 1000));
        }
    }

    @Override
    public Future<Flow> run(PbxRun run, String data) {
        List<String> a = Args.split(data);
        String dest = Args.at(a, 0).trim();
        if (dest.isEmpty() || dest.contains("&")) {
            throw new IllegalArgumentException("Dial needs exactly one tech/resource, got '" + dest + "'");
        }
        Duration ring = SignalApps.seconds(Args.at(a, 1));
        Options opts = Options.parse(Args.at(a, 2));
        for (String v : RESET) {
            run.setVar(v, "");
        }
        Callee who = run.call.callee(run, dest);
        if (who.outcome() == Scenario.Outcome.CHANUNAVAIL) {
            // no callee channel at all (no DialBegin/DialEnd): the request fails with the cause chan_pjsip
            // gives it, 3 "no route to destination" (Asterisk 20, an endpoint whose contact is unavailable)
            run.ch.hangupCause = 3;
            Promise<Flow> p = run.block(() -> { });
            long t = run.call.timer(UNAVAILABLE, () -> {
                run.setVar("DIALSTATUS", "CHANUNAVAIL");
                p.tryComplete(Flow.NEXT);
            });
            p.future().onComplete(ar -> run.call.cancelTimer(t));
            return p.future();
        }
        SimChannel callee = ring(run, dest);
        run.call.calleeRinging(run, callee);
        return new Leg(run, callee, who, opts).start(ring);
    }

    /** The callee channel appears and rings. */
    private static SimChannel ring(PbxRun run, String dial) {
        SimChannel caller = run.ch;
        ChannelEvents ev = run.call.events();
        SimNode node = run.call.node();
        String tech = dial.contains("/") ? dial.substring(0, dial.indexOf('/')) : "PJSIP";
        String rest = dial.substring(dial.indexOf('/') + 1);
        String endpoint = rest.contains("@") ? rest.substring(rest.indexOf('@') + 1) : rest;
        SimChannel callee = new SimChannel(tech + "/" + endpoint + "-" + node.nextChannelSuffix(), node.nextUniqueid(),
            caller.linkedid, tech, 0, caller.context, caller.exten, 1);
        callee.connectedNum = caller.callerIdNum;
        callee.connectedName = caller.callerIdName;
        callee.presented = Identity.presentedBy(caller);
        callee.application = "AppDial";
        callee.applicationData = "(Outgoing Line)";
        ev.emit(callee.appendTo(AmiMessage.event("Newchannel", "call,all")));
        ev.varSet(callee, "DIALEDPEERNUMBER", rest);
        ev.newexten(callee, 1, "AppDial", "(Outgoing Line)");
        AmiMessage begin = caller.appendTo(AmiMessage.event("DialBegin", "call,all"));
        ev.emit(callee.appendTo(begin, "Dest").add("DialString", rest));
        ev.newState(callee, 5);
        AmiMessage ringing = caller.appendTo(AmiMessage.event("DialState", "call,all"));
        ev.emit(callee.appendTo(ringing, "Dest").add("DialStatus", "RINGING"));
        return callee;
    }

    /** One ringing callee, from DialBegin until Dial() returns. */
    private static final class Leg {
        private enum State { RINGING, ANSWERING, BRIDGED, DONE }

        private final PbxRun run;
        private final SimChannel caller;
        private final SimChannel callee;
        private final Callee who;
        private final Options opts;
        private final ChannelEvents ev;
        private final Promise<Flow> done;
        private State state = State.RINGING;

        Leg(PbxRun run, SimChannel callee, Callee who, Options opts) {
            this.run = run;
            this.caller = run.ch;
            this.callee = callee;
            this.who = who;
            this.opts = opts;
            this.ev = run.call.events();
            this.done = run.block(this::callerHangsUp);
            callee.farEndHangup = this::calleeHangsUp;
        }

        Future<Flow> start(Duration ring) {
            CallFlow call = run.call;
            switch (who.outcome()) {
                case ANSWER -> {
                    if (ring != null && ring.compareTo(who.answerAfter()) < 0) {
                        call.timer(ring, () -> fail("NOANSWER"));
                    } else {
                        call.timer(who.answerAfter(), this::answer);
                    }
                }
                case BUSY -> call.timer(REFUSAL, () -> fail("BUSY"));
                case CONGESTION -> call.timer(REFUSAL, () -> fail("CONGESTION"));
                default -> {
                    if (ring != null) {
                        call.timer(ring, () -> fail("NOANSWER"));
                    }
                }
            }
            return done.future();
        }

        /** The callee ends without answering; DIALSTATUS and HANGUPCAUSE on the caller say how. */
        private void fail(String status) {
            if (state != State.RINGING) {
                return;
            }
            state = State.DONE;
            if (status.equals("NOANSWER")) {
                ev.emit(dialEnd(status));
                ev.hangup(callee, 0);
            } else {
                int cause = status.equals("BUSY") ? 17 : 34;
                caller.hangupCause = cause;
                ev.hangupRequest(callee, cause);
                ev.emit(dialEnd(status));
                ev.hangup(callee, cause);
            }
            run.setVar("DIALSTATUS", status);
            done.tryComplete(Flow.NEXT);
        }

        private void answer() {
            if (state != State.RINGING) {
                return;
            }
            state = State.ANSWERING;
            ev.newState(callee, 6);
            ev.emit(dialEnd("ANSWER"));
            run.setVar("DIALSTATUS", "ANSWER");
            if (!opts.ignoreConnected()) {
                Identity.deliver(caller, new Identity(who.number(), ""));
            }
            Future<Void> sub = opts.gosubContext() == null ? Future.succeededFuture()
                : PbxRun.subroutine(run.call, callee, opts.gosubContext(), opts.gosubArgs());
            sub.onComplete(v -> bridge());
        }

        private void bridge() {
            if (state != State.ANSWERING || run.call.ended()) {
                return;
            }
            state = State.BRIDGED;
            String bridge = UUID.randomUUID().toString();
            caller.bridgeId = bridge;
            callee.bridgeId = bridge;
            caller.bridgePeer = callee;
            callee.bridgePeer = caller;
            if (caller.state != 6) {
                ev.newState(caller, 6);
            }
            run.call.calleeAnswered(run, callee);
            // the callee puts the phone down after its talk time, or app_dial's duration limit S() ends the
            // bridge first: either way the callee is hung up and, without option g, the caller too
            Duration end = who.talk() == null ? opts.limit()
                    : opts.limit() == null || who.talk().compareTo(opts.limit()) <= 0 ? who.talk() : opts.limit();
            if (end != null) {
                run.call.timer(end, () -> calleeHangsUp(16));
            }
        }

        /** Bridged, the callee puts the phone down: without option g the caller's dialplan ends too. */
        private void calleeHangsUp(int cause) {
            if (state != State.BRIDGED || !callee.alive) {
                return;
            }
            state = State.DONE;
            ev.hangupRequest(callee, cause);
            ev.hangup(callee, cause);
            caller.bridgePeer = null;
            caller.hangupCause = cause;
            ev.softHangupRequest(caller, cause);
            done.tryComplete(Flow.HANGUP);
        }

        /** The caller hangs up: a ringing callee is cancelled; a bridged one goes when the caller's channel does. */
        private void callerHangsUp() {
            State was = state;
            state = State.DONE;
            if (was == State.RINGING) {
                ev.emit(dialEnd("CANCEL"));
                ev.hangup(callee, 0);
                run.setVar("DIALSTATUS", "CANCEL");
            } else if (was == State.ANSWERING) {
                ev.hangup(callee, 16);
            }
        }

        private AmiMessage dialEnd(String status) {
            AmiMessage m = caller.appendTo(AmiMessage.event("DialEnd", "call,all"));
            return callee.appendTo(m, "Dest").add("DialStatus", status);
        }
    }
}
