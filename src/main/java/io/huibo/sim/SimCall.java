package io.huibo.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One originated callback call: the Local pair of {@code Local/s@huibo-leg-a}, leg A dialed from the
 * {@code ;2} half ([huibo-leg-a]) and leg B dialed from the {@code ;1} half ([huibo-connect]) once A answered.
 * An explicit phase machine; all methods run on the owning node's event loop, and every timer or AGI
 * callback first checks that the call has not ended meanwhile.
 *
 * <p>Hangup causes follow the traces and the brief: busy 17, no answer 19, congestion 34, AGI failure 38,
 * normal clearing 16; leg B not answering gives B's Hangup cause 0 after the ;1 half's cause 16.
 */
final class SimCall {
    enum Phase { LEG_A_AGI, LEG_A_DIAL, LEG_B_AGI, LEG_B_DIAL, TALKING, ENDED }

    record Request(String actionId, String channel, String context, String exten, int priority, Duration timeout,
                   String callerId, String channelId, String otherChannelId, Map<String, String> variables) {}

    /** Snapshot for the control API. */
    record Info(String node, String channelId, String callbackId, String attempt, String legA, String legB,
                String outcome, String legBOutcome, Instant startedAt, Instant endedAt, boolean live) {}

    private static final AtomicLong KEYS = new AtomicLong();
    private static final Duration DEFAULT_B_RING = Duration.ofSeconds(60);

    private final SimNode node;
    private final Request req;
    private final String key = "call-" + KEYS.incrementAndGet();
    private final Instant startedAt = Instant.now();
    private final List<Long> timers = new ArrayList<>();
    private final Map<String, String> vars1;
    private final Map<String, String> vars2;
    private final String localContext;
    private final String localExten;
    private SimChannel ch1;
    private SimChannel ch2;
    private SimChannel chA;
    private SimChannel chB;
    private Scenario.Behaviour behaviourA;
    private long originateTimer = -1;
    private volatile Phase phase = Phase.LEG_A_AGI;
    private volatile String legA;
    private volatile String legB;
    private volatile String outcome;
    private volatile String legBOutcome;
    private volatile Instant endedAt;

    SimCall(SimNode node, Request req, CallLog log) {
        this.node = node;
        this.req = req;
        this.vars1 = new LinkedHashMap<>(req.variables());
        this.vars2 = new LinkedHashMap<>(req.variables());
        String dest = req.channel().substring(req.channel().indexOf('/') + 1);
        int slash = dest.indexOf('/');
        if (slash >= 0) {
            dest = dest.substring(0, slash); // Local/s@ctx/n options
        }
        int at = dest.indexOf('@');
        this.localExten = dest.substring(0, at);
        this.localContext = dest.substring(at + 1);
        log.add(this);
    }

    String key() { return key; }

    List<SimChannel> channels() {
        List<SimChannel> out = new ArrayList<>(4);
        for (SimChannel c : new SimChannel[] {ch2, ch1, chA, chB}) {
            if (c != null && c.alive) {
                out.add(c);
            }
        }
        return out;
    }

    boolean hasChannel(String uniqueid) {
        for (SimChannel c : channels()) {
            if (c.uniqueid.equals(uniqueid)) {
                return true;
            }
        }
        return false;
    }

    boolean hasChannelNamed(String name) {
        for (SimChannel c : channels()) {
            if (c.name.equals(name)) {
                return true;
            }
        }
        return false;
    }

    Info info() {
        SimChannel c1 = ch1;
        String channelId = req.channelId() != null ? req.channelId() : (c1 == null ? null : c1.uniqueid);
        return new Info(node.id(), channelId, req.variables().get("HUIBO_CALLBACK"), req.variables().get("HUIBO_ATTEMPT"),
            legA, legB, outcome, legBOutcome, startedAt, endedAt, phase != Phase.ENDED);
    }

    /** An Originate that fails before any channel exists (bad tech, channel limit). */
    static void originateFailure(SimNode node, Request req, int reason) {
        node.emit(originateResponse(req, "Failure", req.channel(), reason,
            req.channelId() != null ? req.channelId() : "<unknown>"));
    }

    private static AmiMessage originateResponse(Request req, String response, String channel, int reason, String uniqueid) {
        String[] cid = callerId(req.callerId());
        return AmiMessage.event("OriginateResponse", "call,all")
            .addIf(req.actionId() != null, "ActionID", req.actionId())
            .add("Response", response).add("Channel", channel)
            .add("Context", req.context() == null ? "" : req.context())
            .add("Exten", req.exten()).add("Reason", reason).add("Uniqueid", uniqueid)
            .add("CallerIDNum", cid[0]).add("CallerIDName", cid[1]);
    }

    /** {@code "Name" <num>} or {@code num} -> [num, name], "<unknown>" for missing parts. */
    static String[] callerId(String cid) {
        if (cid == null || cid.isBlank()) {
            return new String[] {"<unknown>", "<unknown>"};
        }
        int lt = cid.indexOf('<');
        int gt = cid.indexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) {
            String name = cid.substring(0, lt).trim().replace("\"", "");
            return new String[] {cid.substring(lt + 1, gt), name.isEmpty() ? "<unknown>" : name};
        }
        return new String[] {cid.trim(), "<unknown>"};
    }

    // ---------------------------------------------------------------- leg A

    void start() {
        String base = "Local/" + localExten + "@" + localContext + "-" + node.nextChannelSuffix();
        String id1 = req.channelId() != null ? req.channelId() : node.nextUniqueid();
        String id2 = req.otherChannelId() != null ? req.otherChannelId()
            : (req.channelId() != null ? req.channelId() + ";2" : node.nextUniqueid());
        ch1 = new SimChannel(base + ";1", id1, id1, "Local", 0, localContext, localExten, 1);
        ch2 = new SimChannel(base + ";2", id2, id1, "Local", 4, localContext, localExten, 1);
        String[] cid = callerId(req.callerId());
        ch1.callerIdNum = cid[0];
        ch1.callerIdName = cid[1];
        ch2.callerIdNum = cid[0];
        ch2.callerIdName = cid[1];
        emit(ch1.appendTo(AmiMessage.event("Newchannel", "call,all")));
        emit(ch2.appendTo(AmiMessage.event("Newchannel", "call,all")));
        newexten(ch1, "AppDial2", "(Outgoing Line)");
        // Traces: the originated ;1 half gets the VarSets in reverse order, the ;2 half in given order.
        List<Map.Entry<String, String>> vs = new ArrayList<>(req.variables().entrySet());
        for (int i = vs.size() - 1; i >= 0; i--) {
            varSet(ch1, vs.get(i).getKey(), vs.get(i).getValue());
        }
        for (Map.Entry<String, String> e : vs) {
            varSet(ch2, e.getKey(), e.getValue());
        }
        AmiMessage bridge = AmiMessage.event("LocalBridge", "call,all");
        ch1.appendTo(bridge, "LocalOne");
        ch2.appendTo(bridge, "LocalTwo");
        emit(bridge.add("Context", localContext).add("Exten", localExten).add("LocalOptimization", "No"));
        emit(ch1.appendTo(AmiMessage.event("DialBegin", "call,all"), "Dest")
            .add("DialString", localExten + "@" + localContext));

        originateTimer = timer(req.timeout(), () -> {
            if (phase == Phase.LEG_A_AGI || phase == Phase.LEG_A_DIAL) {
                failA(Scenario.Outcome.NOANSWER, "CANCEL");
            }
        });

        phase = Phase.LEG_A_AGI;
        runAgi(ch2, vars2, "a").onSuccess(ok -> {
            if (phase != Phase.LEG_A_AGI) {
                return;
            }
            String dial = vars2.getOrDefault("HUIBO_DIAL", "");
            if (dial.isEmpty()) {
                newexten(ch2, "Hangup", "38");
                agiFailedA();
            } else {
                dialA(dial);
            }
        });
    }

    private io.vertx.core.Future<Boolean> runAgi(SimChannel ch, Map<String, String> vars, String leg) {
        String agiAddr = vars.getOrDefault("HUIBO_AGI", node.fallbackAgi());
        String script = "route?leg=" + leg;
        newexten(ch, "AGI", "agi://" + agiAddr + "/" + script + "," + vars.getOrDefault("HUIBO_CALLBACK", "")
            + "," + vars.getOrDefault("HUIBO_ATTEMPT", ""));
        List<String> args = List.of(vars.getOrDefault("HUIBO_CALLBACK", ""), vars.getOrDefault("HUIBO_ATTEMPT", ""));
        return node.agi().run(agiAddr, script, args, ch, vars, (k, v) -> {
            if (phase != Phase.ENDED) {
                varSet(ch, k, v);
            }
        }).map(r -> {
            if (phase != Phase.ENDED) {
                varSet(ch, "AGISTATUS", r.agiStatus());
            }
            return true;
        });
    }

    private void dialA(String dial) {
        phase = Phase.LEG_A_DIAL;
        legA = numberOf(dial);
        behaviourA = node.scenario().next(legA);
        Duration ring = ringTimeout(vars2, null);
        chA = startDial(ch2, dial);
        Scenario.Behaviour b = behaviourA;
        switch (b.outcome()) {
            case ANSWER -> {
                if (ring != null && ring.compareTo(b.answerAfter()) < 0) {
                    timer(ring, () -> failA(Scenario.Outcome.NOANSWER, "NOANSWER"));
                } else {
                    timer(b.answerAfter(), this::answerA);
                }
            }
            case BUSY -> timer(Duration.ofMillis(20), () -> failA(Scenario.Outcome.BUSY, "BUSY"));
            case CONGESTION -> timer(Duration.ofMillis(20), () -> failA(Scenario.Outcome.CONGESTION, "CONGESTION"));
            case NOANSWER -> {
                if (ring != null) {
                    timer(ring, () -> failA(Scenario.Outcome.NOANSWER, "NOANSWER"));
                } // else: rings until the Originate timeout fires
            }
        }
    }

    private void answerA() {
        if (phase != Phase.LEG_A_DIAL) {
            return;
        }
        node.vertx().cancelTimer(originateTimer);
        newState(chA, 6);
        emit(dialEnd(ch2, chA, "ANSWER"));
        String bridgeA = java.util.UUID.randomUUID().toString();
        ch2.bridgeId = bridgeA;
        chA.bridgeId = bridgeA;
        newState(ch2, 6);
        newState(ch1, 6);
        emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", "ANSWER"));
        outcome = "answered";
        emit(originateResponse(req, "Success", ch1.name, 4, ch1.uniqueid));
        ch2.application = "Dial";
        ch2.applicationData = "";
        runConnect();
    }

    /** Leg A did not answer: busy, congestion or no answer (by ring timeout or Originate timeout). */
    private void failA(Scenario.Outcome why, String dialStatus) {
        if (phase != Phase.LEG_A_DIAL && phase != Phase.LEG_A_AGI) {
            return;
        }
        int cause;
        int reason;
        switch (why) {
            case BUSY -> { cause = 17; reason = 5; outcome = "busy"; }
            case CONGESTION -> { cause = 34; reason = 8; outcome = "congestion"; }
            default -> { cause = 19; reason = 3; outcome = "noanswer"; }
        }
        if (chA != null) {
            if (why == Scenario.Outcome.NOANSWER) {
                emit(dialEnd(ch2, chA, dialStatus));
                hangup(chA, 0);
            } else {
                hangupRequest(chA, cause);
                emit(dialEnd(ch2, chA, dialStatus));
                hangup(chA, cause);
            }
            varSet(ch2, "DIALSTATUS", dialStatus);
        }
        if (why == Scenario.Outcome.BUSY || why == Scenario.Outcome.CONGESTION) {
            newexten(ch2, why == Scenario.Outcome.BUSY ? "Busy" : "Congestion", "5");
            newState(ch2, 7);
        }
        emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", dialStatus));
        emit(originateResponse(req, "Failure", req.channel(), reason, req.channelId() != null ? req.channelId() : "<unknown>"));
        hangup(ch1, cause);
        hangup(ch2, cause);
        end();
    }

    /** HUIBO_DIAL empty (AGI failed or refused): Hangup(38) on ;2, the Originate fails with Reason 0. */
    private void agiFailedA() {
        outcome = "failed";
        emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", "CHANUNAVAIL"));
        emit(originateResponse(req, "Failure", req.channel(), 0, req.channelId() != null ? req.channelId() : "<unknown>"));
        hangup(ch1, 38);
        hangup(ch2, 38);
        end();
    }

    // ---------------------------------------------------------------- leg B

    private void runConnect() {
        phase = Phase.LEG_B_AGI;
        ch1.context = req.context() == null ? "huibo-connect" : req.context();
        ch1.exten = req.exten();
        ch1.priority = req.priority();
        runAgi(ch1, vars1, "b").onSuccess(ok -> {
            if (phase != Phase.LEG_B_AGI) {
                return;
            }
            String dial = vars1.getOrDefault("HUIBO_DIAL", "");
            if (dial.isEmpty()) {
                legBOutcome = "failed";
                newexten(ch1, "Hangup", "38");
                hangupAll(38, 16, 16);
            } else {
                dialB(dial);
            }
        });
    }

    private void dialB(String dial) {
        phase = Phase.LEG_B_DIAL;
        legB = numberOf(dial);
        Scenario.Behaviour b = node.scenario().next(legB);
        Duration talk = b.talk() != null ? b.talk()
            : (behaviourA != null && behaviourA.talk() != null ? behaviourA.talk() : node.scenario().defaultTalk());
        Duration ring = ringTimeout(vars1, DEFAULT_B_RING);
        chB = startDial(ch1, dial);
        switch (b.outcome()) {
            case ANSWER -> {
                if (ring.compareTo(b.answerAfter()) < 0) {
                    timer(ring, this::noAnswerB);
                } else {
                    timer(b.answerAfter(), () -> answerB(talk));
                }
            }
            case BUSY -> timer(Duration.ofMillis(20), () -> failB(17, "BUSY", "busy"));
            case CONGESTION -> timer(Duration.ofMillis(20), () -> failB(34, "CONGESTION", "congestion"));
            case NOANSWER -> timer(ring, this::noAnswerB);
        }
    }

    private void answerB(Duration talk) {
        if (phase != Phase.LEG_B_DIAL) {
            return;
        }
        phase = Phase.TALKING;
        newState(chB, 6);
        emit(dialEnd(ch1, chB, "ANSWER"));
        String bridgeB = java.util.UUID.randomUUID().toString();
        ch1.bridgeId = bridgeB;
        chB.bridgeId = bridgeB;
        varSet(ch1, "DIALSTATUS", "ANSWER");
        legBOutcome = "answered";
        timer(talk, () -> {
            if (phase != Phase.TALKING) {
                return;
            }
            // Callee hangs up after talking: B first, then the ;1 half, the ;2 half and leg A.
            hangupRequest(chB, 16);
            hangup(chB, 16);
            softHangupRequest(ch1, 16);
            hangup(ch1, 16);
            hangup(ch2, 16);
            hangup(chA, 16);
            end();
        });
    }

    private void failB(int cause, String dialStatus, String result) {
        if (phase != Phase.LEG_B_DIAL) {
            return;
        }
        legBOutcome = result;
        hangupRequest(chB, cause);
        emit(dialEnd(ch1, chB, dialStatus));
        varSet(ch1, "DIALSTATUS", dialStatus);
        hangup(chB, cause);
        newexten(ch1, "Hangup", "");
        softHangupRequest(ch1, 16);
        // Trace two-leg-b-busy: the A side's Hangup carries the failed Dial's cause.
        hangup(ch1, cause);
        hangup(ch2, 16);
        hangup(chA, 16);
        end();
    }

    private void noAnswerB() {
        if (phase != Phase.LEG_B_DIAL) {
            return;
        }
        legBOutcome = "noanswer";
        emit(dialEnd(ch1, chB, "NOANSWER"));
        varSet(ch1, "DIALSTATUS", "NOANSWER");
        newexten(ch1, "Hangup", "");
        softHangupRequest(ch1, 16);
        hangup(ch1, 16);
        // Trace two-leg-b-noanswer: B's Hangup says 0 / Unknown and comes after the A side's.
        hangup(chB, 0);
        hangup(ch2, 16);
        hangup(chA, 16);
        end();
    }

    // ---------------------------------------------------------------- teardown

    /** AMI Hangup action on one of our channels: everything goes, with that cause. */
    void hangupByAction(int cause) {
        if (phase == Phase.ENDED) {
            return;
        }
        if (phase == Phase.LEG_A_AGI || phase == Phase.LEG_A_DIAL) {
            outcome = "hungup";
            emit(originateResponse(req, "Failure", req.channel(), 1, req.channelId() != null ? req.channelId() : "<unknown>"));
        } else if (legBOutcome == null) {
            legBOutcome = "hungup";
        }
        hangupAll(cause, cause, cause);
    }

    private void hangupAll(int cause1, int cause2, int causeOthers) {
        if (chB != null && chB.alive) {
            hangup(chB, causeOthers);
        }
        hangup(ch1, cause1);
        hangup(ch2, cause2);
        if (chA != null) {
            hangup(chA, causeOthers);
        }
        end();
    }

    /** The node died: no events, the call just vanishes. */
    void drop() {
        if (phase != Phase.ENDED) {
            if (outcome == null) {
                outcome = "dropped";
            } else if (legBOutcome == null && outcome.equals("answered")) {
                legBOutcome = "dropped";
            }
            for (SimChannel c : new SimChannel[] {ch1, ch2, chA, chB}) {
                if (c != null) {
                    c.alive = false;
                }
            }
            end();
        }
    }

    private void end() {
        phase = Phase.ENDED;
        endedAt = Instant.now();
        for (long t : timers) {
            node.vertx().cancelTimer(t);
        }
        timers.clear();
        node.callEnded(this);
    }

    // ---------------------------------------------------------------- helpers

    private SimChannel startDial(SimChannel caller, String dial) {
        caller.application = "Dial";
        caller.applicationData = dial + "," + caller.priority;
        newexten(caller, "Dial", dial);
        for (String v : new String[] {"DIALSTATUS", "DIALEDPEERNUMBER", "DIALEDPEERNAME", "ANSWEREDTIME",
            "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS", "RINGTIME", "RINGTIME_MS", "PROGRESSTIME", "PROGRESSTIME_MS"}) {
            varSet(caller, v, "");
        }
        String tech = dial.contains("/") ? dial.substring(0, dial.indexOf('/')) : "PJSIP";
        String rest = dial.substring(dial.indexOf('/') + 1);
        String endpoint = rest.contains("@") ? rest.substring(rest.indexOf('@') + 1) : rest;
        SimChannel callee = new SimChannel(tech + "/" + endpoint + "-" + node.nextChannelSuffix(), node.nextUniqueid(),
            caller.linkedid, tech, 0, caller.context, caller.exten, 1);
        callee.connectedNum = caller.callerIdNum;
        callee.connectedName = caller.callerIdName;
        callee.application = "AppDial";
        callee.applicationData = "(Outgoing Line)";
        emit(callee.appendTo(AmiMessage.event("Newchannel", "call,all")));
        varSet(callee, "DIALEDPEERNUMBER", rest);
        newexten(callee, "AppDial", "(Outgoing Line)");
        AmiMessage begin = caller.appendTo(AmiMessage.event("DialBegin", "call,all"));
        emit(callee.appendTo(begin, "Dest").add("DialString", rest));
        newState(callee, 5);
        AmiMessage ringing = caller.appendTo(AmiMessage.event("DialState", "call,all"));
        emit(callee.appendTo(ringing, "Dest").add("DialStatus", "RINGING"));
        return callee;
    }

    private static AmiMessage dialEnd(SimChannel caller, SimChannel callee, String status) {
        AmiMessage m = caller.appendTo(AmiMessage.event("DialEnd", "call,all"));
        return callee.appendTo(m, "Dest").add("DialStatus", status);
    }

    private Duration ringTimeout(Map<String, String> vars, Duration dflt) {
        String s = vars.get("HUIBO_RING_TIMEOUT");
        if (s == null || s.isBlank()) {
            return dflt;
        }
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(s.trim()) * 1000));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** The number in a dial string: between '/' and '@' (or after '/'). */
    static String numberOf(String dial) {
        String rest = dial.substring(dial.indexOf('/') + 1);
        int at = rest.indexOf('@');
        return at >= 0 ? rest.substring(0, at) : rest;
    }

    private long timer(Duration d, Runnable r) {
        long id = node.vertx().setTimer(Math.max(1, d.toMillis()), t -> {
            if (phase != Phase.ENDED) {
                r.run();
            }
        });
        timers.add(id);
        return id;
    }

    private void emit(AmiMessage m) {
        node.emit(m);
    }

    private void newexten(SimChannel ch, String app, String data) {
        ch.application = app;
        ch.applicationData = data;
        emit(ch.appendTo(AmiMessage.event("Newexten", "dialplan,all"))
            .add("Extension", ch.exten).add("Application", app).add("AppData", data));
    }

    private void varSet(SimChannel ch, String name, String value) {
        emit(ch.appendTo(AmiMessage.event("VarSet", "dialplan,all")).add("Variable", name).add("Value", value));
    }

    private void newState(SimChannel ch, int state) {
        ch.state = state;
        emit(ch.appendTo(AmiMessage.event("Newstate", "call,all")));
    }

    private void hangupRequest(SimChannel ch, int cause) {
        emit(ch.appendTo(AmiMessage.event("HangupRequest", "call,all")).add("Cause", cause));
    }

    private void softHangupRequest(SimChannel ch, int cause) {
        emit(ch.appendTo(AmiMessage.event("SoftHangupRequest", "call,all")).add("Cause", cause));
    }

    private void hangup(SimChannel ch, int cause) {
        if (ch == null || !ch.alive) {
            return;
        }
        ch.alive = false;
        emit(ch.appendTo(AmiMessage.event("Hangup", "call,all")).add("Cause", cause).add("Cause-txt", causeText(cause)));
    }

    static String causeText(int cause) {
        return switch (cause) {
            case 16 -> "Normal Clearing";
            case 17 -> "User busy";
            case 19 -> "User alerting, no answer";
            case 34 -> "Circuit/channel congestion";
            case 38 -> "Network out of order";
            default -> "Unknown";
        };
    }
}
