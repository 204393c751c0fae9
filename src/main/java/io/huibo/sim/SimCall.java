package io.huibo.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One originated callback call: the Local pair of the Originate's {@code Local/exten@context} channel. The
 * {@code ;2} half runs that context of the loaded dialplan ([huibo-leg-a]); when the callee it dials (leg A)
 * answers, the Originate succeeds and the originated {@code ;1} half runs the Originate's Context/Exten/Priority
 * ([huibo-connect]), which dials leg B. This class is the Local channel driver and the people at the ends;
 * what runs on the channels is the dialplan ({@link PbxRun}).
 *
 * <p>Before leg A answers, the way the {@code ;2} half ends decides the Originate: Busy() Reason 5 cause 17,
 * Congestion() Reason 8 cause 34, a hangup without a failure cause (no answer) Reason 3 cause 19, any other
 * cause (Hangup(38)) Reason 0 with that cause; the Originate's Timeout gives Reason 3 cause 19. After the answer,
 * either half hanging up takes the other down with cause 16.
 */
final class SimCall extends DialplanCall {
    record Request(String actionId, String channel, String context, String exten, int priority, Duration timeout,
                   String callerId, String channelId, String otherChannelId, Map<String, String> variables) {}

    /** Snapshot for the control API. */
    record Info(String node, String channelId, String callbackId, String attempt, String legA, String legB,
                String outcome, String legBOutcome, Instant startedAt, Instant endedAt, boolean live) {}

    private static final AtomicLong KEYS = new AtomicLong();

    private final Request req;
    private final String key = "call-" + KEYS.incrementAndGet();
    private final Instant startedAt = Instant.now();
    private final String localContext;
    private final String localExten;
    private SimChannel ch1;
    private SimChannel ch2;
    private PbxRun run1;
    private PbxRun run2;
    private volatile SimChannel chA;
    private volatile SimChannel chB;
    private Scenario.Behaviour behaviourA;
    private long originateTimer = -1;
    /** The OriginateResponse is out (answered, failed, timed out or hung up by action). */
    private boolean originateDone;
    private volatile int triesA;
    private volatile int triesB;
    private volatile boolean ended;
    private volatile String legA;
    private volatile String legB;
    private volatile String collected;
    private volatile String outcome;
    private volatile String legBOutcome;
    private volatile Instant endedAt;
    private volatile boolean dropped;
    /** The AMI Hangup action's cause, which every channel's Hangup then says (0 without a Cause header). */
    private Integer actionCause;

    SimCall(SimNode node, Request req, CallLog log) {
        super(node);
        this.req = req;
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

    @Override
    public String key() { return key; }

    @Override
    public List<SimChannel> channels() {
        List<SimChannel> out = new ArrayList<>(4);
        for (SimChannel c : new SimChannel[] {ch2, ch1, chA, chB}) {
            if (c != null && c.alive) {
                out.add(c);
            }
        }
        return out;
    }

    Info info() {
        SimChannel c1 = ch1;
        String channelId = req.channelId() != null ? req.channelId() : (c1 == null ? null : c1.uniqueid);
        return new Info(node.id(), channelId, req.variables().get("HUIBO_CALLBACK"), req.variables().get("HUIBO_ATTEMPT"),
            legA, legB, outcome, legBOutcome, startedAt, endedAt, !ended);
    }

    @Override
    public JsonObject toJson() {
        Info i = info();
        SimChannel a = chA;
        SimChannel b = chB;
        JsonArray updates = new JsonArray();
        if (a != null) {
            List.copyOf(a.connectedUpdates).forEach(u -> updates.add(u.toJson()));
        }
        return new JsonObject().put("kind", "callback").put("node", i.node()).put("channelId", i.channelId())
            .put("callbackId", i.callbackId()).put("attempt", i.attempt()).put("legA", i.legA())
            .put("legB", i.legB()).put("outcome", i.outcome()).put("legBOutcome", i.legBOutcome())
            .put("triesA", triesA).put("triesB", triesB).put("collected", collected).put("dropped", dropped)
            .put("startedAt", i.startedAt() == null ? null : i.startedAt().toString())
            .put("endedAt", i.endedAt() == null ? null : i.endedAt().toString()).put("live", i.live())
            .put("placed", true).put("variables", new JsonObject(new LinkedHashMap<>(req.variables())))
            .put("shownToA", a == null || a.presented == null ? null : a.presented.toJson())
            .put("shownToB", b == null || b.presented == null ? null : b.presented.toJson())
            .put("updatesToA", updates);
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

    // ---------------------------------------------------------------- the Local pair comes up

    void start() {
        String base = "Local/" + localExten + "@" + localContext + "-" + node.nextChannelSuffix();
        String id1 = req.channelId() != null ? req.channelId() : node.nextUniqueid();
        String id2 = req.otherChannelId() != null ? req.otherChannelId()
            : (req.channelId() != null ? req.channelId() + ";2" : node.nextUniqueid());
        ch1 = new SimChannel(base + ";1", id1, id1, "Local", 0, localContext, localExten, 1);
        ch2 = new SimChannel(base + ";2", id2, id1, "Local", 4, localContext, localExten, 1);
        ch1.localPartner = ch2;
        ch2.localPartner = ch1;
        String[] cid = callerId(req.callerId());
        ch1.callerIdNum = cid[0];
        ch1.callerIdName = cid[1];
        ch2.callerIdNum = cid[0];
        ch2.callerIdName = cid[1];
        run1 = new PbxRun(this, ch1);
        run2 = new PbxRun(this, ch2);
        ev.emit(ch1.appendTo(AmiMessage.event("Newchannel", "call,all")));
        ev.emit(ch2.appendTo(AmiMessage.event("Newchannel", "call,all")));
        ev.newexten(ch1, 1, "AppDial2", "(Outgoing Line)");
        // Traces: the originated ;1 half gets the VarSets in reverse order, the ;2 half in given order.
        List<Map.Entry<String, String>> vs = new ArrayList<>(req.variables().entrySet());
        for (int i = vs.size() - 1; i >= 0; i--) {
            ev.varSet(ch1, vs.get(i).getKey(), vs.get(i).getValue());
            run1.vars.set(vs.get(i).getKey(), vs.get(i).getValue());
        }
        for (Map.Entry<String, String> e : vs) {
            ev.varSet(ch2, e.getKey(), e.getValue());
            run2.vars.set(e.getKey(), e.getValue());
        }
        AmiMessage bridge = AmiMessage.event("LocalBridge", "call,all");
        ch1.appendTo(bridge, "LocalOne");
        ch2.appendTo(bridge, "LocalTwo");
        ev.emit(bridge.add("Context", localContext).add("Exten", localExten).add("LocalOptimization", "No"));
        ev.emit(ch1.appendTo(AmiMessage.event("DialBegin", "call,all"), "Dest")
            .add("DialString", localExten + "@" + localContext));
        originateTimer = timer(req.timeout(), this::originateTimeout);
        run2.start(localContext, localExten, 1);
    }

    // ---------------------------------------------------------------- the people at the ends

    @Override
    public Callee callee(PbxRun caller, String dial) {
        if (caller == run2) {
            triesA++;
            legA = numberOf(dial);
            Scenario.Outcome trunk = node.scenario().trunk(trunkOf(dial));
            behaviourA = trunk == null ? node.scenario().next(legA) : null;
            // leg A stays on the line until the other side ends the call
            return trunk != null ? new Callee(legA, trunk, Duration.ZERO, null)
                : new Callee(legA, behaviourA.outcome(), behaviourA.answerAfter(), null);
        }
        if (caller == run1) {
            triesB++;
            legB = numberOf(dial);
            Duration talk = behaviourA != null && behaviourA.talk() != null ? behaviourA.talk() : node.scenario().defaultTalk();
            return scenarioCallee(dial, talk);
        }
        return scenarioCallee(dial, node.scenario().defaultTalk());
    }

    /** The ;1 half's prompts reach leg A through the Local pair, as long as leg A is on the line. */
    @Override
    public Person listener(PbxRun run) {
        SimChannel a = chA;
        if (run != run1 || a == null || !a.alive || legA == null) {
            return Person.NOBODY;
        }
        String number = legA;
        return new Person() {
            @Override
            public String keysAfter(String prompt) {
                if (prompt.endsWith("/enter-destination")) {
                    collected = node.scenario().reply(number, prompt);
                    return collected;
                }
                return node.scenario().reply(number, prompt);
            }

            @Override
            public boolean hangsUpDuring(String prompt) {
                return node.scenario().hangsUpDuring(number, prompt);
            }

            @Override
            public void hangUp() {
                a.farEndHangup.accept(16);
            }
        };
    }

    // ---------------------------------------------------------------- the Local channel driver

    @Override
    public void calleeRinging(PbxRun caller, SimChannel callee) {
        if (caller == run2) {
            chA = callee;
        } else if (caller == run1) {
            chB = callee;
        }
    }

    @Override
    public void calleeAnswered(PbxRun caller, SimChannel callee) {
        if (caller == run2 && !originateDone) {
            originateDone = true;
            node.vertx().cancelTimer(originateTimer);
            ev.newState(ch1, 6);
            ev.emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", "ANSWER"));
            outcome = "answered";
            ev.emit(originateResponse(req, "Success", ch1.name, 4, ch1.uniqueid));
            run1.start(req.context() == null ? "huibo-connect" : req.context(), req.exten(), req.priority());
        } else if (caller == run1) {
            legBOutcome = "answered";
        }
    }

    @Override
    public void indicated(PbxRun run, int cause) {
        if (run == run2 && !originateDone) {
            failOriginate(cause == 17 ? 5 : 8, cause, run2.variable("DIALSTATUS"));
            run2.requestHangup(cause);
        }
    }

    @Override
    public void pbxEnding(PbxRun run) {
        if (run == run2 && !originateDone) {
            int cause = ch2.hangupCause;
            if (cause == 0 || cause == 16 || cause == 19) {
                failOriginate(3, 19, run2.variable("DIALSTATUS"));
            } else {
                failOriginate(cause == 17 ? 5 : cause == 34 ? 8 : 0, cause, cause == 17 || cause == 34
                    ? run2.variable("DIALSTATUS") : "CHANUNAVAIL");
            }
        } else if (run == run1 && legBOutcome == null) {
            legBOutcome = bOutcome();
        }
    }

    /** What leg B came to, from the last Dial() of the ;1 half, or from why it ended without one. */
    private String bOutcome() {
        if (triesB == 0) {
            return ch1.hangupCause == 19 || (chA != null && !chA.alive) ? "unconfirmed" : "failed";
        }
        String status = run1.variable("DIALSTATUS");
        return switch (status == null ? "" : status) {
            case "BUSY" -> "busy";
            case "CONGESTION", "CHANUNAVAIL" -> "congestion";
            case "NOANSWER" -> "noanswer";
            default -> "failed";
        };
    }

    /** The ;2 half gave up before leg A answered: the ;1 half and with it the Originate fail. */
    private void failOriginate(int reason, int cause, String dialStatus) {
        originateDone = true;
        node.vertx().cancelTimer(originateTimer);
        outcome = switch (reason) {
            case 5 -> "busy";
            case 8 -> "congestion";
            case 3 -> "noanswer";
            default -> "failed";
        };
        ch2.hangupCause = cause;
        ev.emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", dialStatus == null ? "" : dialStatus));
        ev.emit(originateResponse(req, "Failure", req.channel(), reason, req.channelId() != null ? req.channelId() : "<unknown>"));
        ev.hangup(ch1, cause);
    }

    /** The Originate's Timeout ran out before leg A answered: the ;1 half goes, taking ;2 and a ringing A along. */
    private void originateTimeout() {
        if (originateDone) {
            return;
        }
        originateDone = true;
        outcome = "noanswer";
        run2.requestHangup(19); // a ringing leg A is cancelled right here
        ev.emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", "CANCEL"));
        ev.emit(originateResponse(req, "Failure", req.channel(), 3, req.channelId() != null ? req.channelId() : "<unknown>"));
        ev.hangup(ch1, 19);
        endIfGone();
    }

    @Override
    public void channelGone(PbxRun run) {
        SimChannel c = run.ch;
        int cause = actionCause != null ? actionCause : c.hangupCause != 0 ? c.hangupCause : 16;
        ev.hangup(c, cause);
        SimChannel peer = c.bridgePeer;
        if (peer != null && peer.alive) {
            ev.hangup(peer, cause);
        }
        if (originateDone && outcome.equals("answered")) {
            // after the answer, one half hanging up takes the other down with normal clearing
            (run == run1 ? run2 : run1).requestHangup(16);
        }
        endIfGone();
    }

    private void endIfGone() {
        if (!ch1.alive && !ch2.alive && (run2.gone() || !ch2.alive) && (!run1Started() || run1.gone())) {
            end();
        }
    }

    private boolean run1Started() {
        return originateDone && "answered".equals(outcome);
    }

    // ---------------------------------------------------------------- teardown

    /** AMI Hangup action on one of our channels: everything goes, with that cause. */
    @Override
    public void hangupByAction(int cause) {
        if (ended) {
            return;
        }
        actionCause = cause;
        if (!originateDone) {
            originateDone = true;
            node.vertx().cancelTimer(originateTimer);
            outcome = "hungup";
            ev.emit(originateResponse(req, "Failure", req.channel(), 1, req.channelId() != null ? req.channelId() : "<unknown>"));
            run2.requestHangup(cause);
            ch1.hangupCause = cause;
            ev.hangup(ch1, cause);
            endIfGone();
            return;
        }
        if (legBOutcome == null) {
            legBOutcome = "hungup";
        }
        run1.requestHangup(cause);
        run2.requestHangup(cause);
    }

    /** The node died: no events, the call just vanishes. */
    @Override
    public void drop() {
        if (!ended) {
            dropped = true;
            if (outcome == null) {
                outcome = "dropped";
            } else if (legBOutcome == null && outcome.equals("answered")) {
                legBOutcome = "dropped";
            }
            for (PbxRun r : new PbxRun[] {run1, run2}) {
                if (r != null) {
                    r.drop();
                }
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
        if (ended) {
            return;
        }
        ended = true;
        endedAt = Instant.now();
        cancelTimers();
        node.callEnded(this);
    }

    @Override
    public boolean ended() {
        return ended;
    }
}
