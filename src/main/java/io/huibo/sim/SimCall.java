package io.huibo.sim;

import io.vertx.core.json.JsonObject;
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
 * It plays dialplan/huibo.conf step by step (the priorities in the events are the file's): ask {@code route},
 * try HUIBO_DIAL_1..HUIBO_DIAL_COUNT, {@code report} after every failed try, fail over while HUIBO_NEXT=1,
 * optional confirmation (Playback, then Read one key), optional collection of the destination digits;
 * every FastAGI request falls back over HUIBO_AGI, HUIBO_AGI_2, ... as [huibo-agi] does, and the outcome
 * memory goes to the node's AstDB where [huibo-memo] and [huibo-answered] write it ({@link MemoWrites}).
 * The Newexten events still show the AGI() as run in the leg's own context, not inside the Gosub.
 * An explicit phase machine; all methods run on the owning node's event loop, and every timer or AGI
 * callback first checks that the call is still in the phase that started it.
 *
 * <p>Hangup causes follow the traces: busy 17, no answer 19, congestion 34, unavailable 20, AGI failure 38,
 * normal clearing 16, not confirmed 19; leg B not answering gives B's Hangup cause 0.
 */
final class SimCall extends DialplanCall {
    enum Phase { LEG_A_AGI, LEG_A_DIAL, LEG_A_REPORT, CONFIRM, LEG_B_AGI, COLLECT, LEG_B_DIAL, LEG_B_REPORT, TALKING, ENDED }

    record Request(String actionId, String channel, String context, String exten, int priority, Duration timeout,
                   String callerId, String channelId, String otherChannelId, Map<String, String> variables) {}

    /** Snapshot for the control API. */
    record Info(String node, String channelId, String callbackId, String attempt, String legA, String legB,
                String outcome, String legBOutcome, Instant startedAt, Instant endedAt, boolean live) {}

    private static final AtomicLong KEYS = new AtomicLong();
    private static final Duration DEFAULT_B_RING = Duration.ofSeconds(60);
    /** The dialplan's Read() timeouts: confirmation key 5 s, destination 10 s. */
    private static final Duration CONFIRM_READ = Duration.ofSeconds(5);
    private static final Duration DEST_READ = Duration.ofSeconds(10);

    private final Request req;
    private final String key = "call-" + KEYS.incrementAndGet();
    private final Instant startedAt = Instant.now();
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
    private int triesA;
    private int triesB;
    private volatile Phase phase = Phase.LEG_A_AGI;
    private volatile String legA;
    private volatile String legB;
    private volatile String collected;
    private volatile String outcome;
    private volatile String legBOutcome;
    private volatile Instant endedAt;
    private volatile boolean dropped;
    private final MemoWrites memo;
    /** The ;1 half runs [huibo-connect] (leg A answered), so its h extension remembers leg B. */
    private boolean connecting;

    SimCall(SimNode node, Request req, CallLog log) {
        super(node);
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
        this.memo = new MemoWrites(node.astDb(), req.variables().get("HUIBO_MEMO"));
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
            legA, legB, outcome, legBOutcome, startedAt, endedAt, phase != Phase.ENDED);
    }

    @Override
    public JsonObject toJson() {
        Info i = info();
        return new JsonObject().put("kind", "callback").put("node", i.node()).put("channelId", i.channelId())
            .put("callbackId", i.callbackId()).put("attempt", i.attempt()).put("legA", i.legA())
            .put("legB", i.legB()).put("outcome", i.outcome()).put("legBOutcome", i.legBOutcome())
            .put("triesA", triesA).put("triesB", triesB).put("collected", collected).put("dropped", dropped)
            .put("startedAt", i.startedAt() == null ? null : i.startedAt().toString())
            .put("endedAt", i.endedAt() == null ? null : i.endedAt().toString()).put("live", i.live())
            .put("placed", true).put("variables", new JsonObject(new LinkedHashMap<>(req.variables())));
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

    private AmiMessage originateFailed(int reason) {
        return originateResponse(req, "Failure", req.channel(), reason, req.channelId() != null ? req.channelId() : "<unknown>");
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

    // ---------------------------------------------------------------- [huibo-leg-a] on the ;2 half

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
        ev.newexten(ch1, 1, "AppDial2", "(Outgoing Line)");
        // Traces: the originated ;1 half gets the VarSets in reverse order, the ;2 half in given order.
        List<Map.Entry<String, String>> vs = new ArrayList<>(req.variables().entrySet());
        for (int i = vs.size() - 1; i >= 0; i--) {
            ev.varSet(ch1, vs.get(i).getKey(), vs.get(i).getValue());
        }
        for (Map.Entry<String, String> e : vs) {
            ev.varSet(ch2, e.getKey(), e.getValue());
        }
        AmiMessage bridge = AmiMessage.event("LocalBridge", "call,all");
        ch1.appendTo(bridge, "LocalOne");
        ch2.appendTo(bridge, "LocalTwo");
        emit(bridge.add("Context", localContext).add("Exten", localExten).add("LocalOptimization", "No"));
        emit(ch1.appendTo(AmiMessage.event("DialBegin", "call,all"), "Dest")
            .add("DialString", localExten + "@" + localContext));

        originateTimer = timer(req.timeout(), this::originateTimeout);

        phase = Phase.LEG_A_AGI;
        memo.purge(var(vars2, "HUIBO_MEMO_PURGE"));
        set(ch2, vars2, 1, "HUIBO_TRY", "0");
        agi(ch2, vars2, 2, "route?leg=a", List.of(var(vars2, "HUIBO_CALLBACK"), var(vars2, "HUIBO_ATTEMPT")))
            .onSuccess(ok -> {
                if (phase != Phase.LEG_A_AGI) {
                    return;
                }
                boolean none = dialCount(vars2) < 1;
                gotoIf(ch2, 3, none, "failed");
                if (none) {
                    ev.newexten(ch2, 13, "Hangup", "38");
                    agiFailedA();
                } else {
                    tryA(1);
                }
            });
    }

    private void tryA(int n) {
        phase = Phase.LEG_A_DIAL;
        triesA = n;
        set(ch2, vars2, 4, "HUIBO_TRY", String.valueOf(n));
        String dial = var(vars2, "HUIBO_DIAL_" + n);
        if (dial.isBlank()) {
            // Dial() without a destination fails and ends the dialplan: like a refused route.
            ev.newexten(ch2, 5, "Dial", "");
            agiFailedA();
            return;
        }
        legA = numberOf(dial);
        Duration ring = ringTimeout(vars2, null);
        Scenario.Outcome trunk = node.scenario().trunk(trunkOf(dial));
        behaviourA = trunk == null ? node.scenario().next(legA) : null;
        Scenario.Outcome what = trunk != null ? trunk : behaviourA.outcome();
        if (what == Scenario.Outcome.CHANUNAVAIL) {
            dialUnavailable(ch2, vars2, 5, dial, ring, () -> reportA(n));
            return;
        }
        chA = startDial(ch2, vars2, 5, dial, ring);
        switch (what) {
            case ANSWER -> {
                if (ring != null && ring.compareTo(behaviourA.answerAfter()) < 0) {
                    timer(ring, () -> dialFailedA(n, "NOANSWER"));
                } else {
                    timer(behaviourA.answerAfter(), this::answerA);
                }
            }
            case BUSY -> timer(Duration.ofMillis(20), () -> dialFailedA(n, "BUSY"));
            case CONGESTION -> timer(Duration.ofMillis(20), () -> dialFailedA(n, "CONGESTION"));
            default -> {
                if (ring != null) {
                    timer(ring, () -> dialFailedA(n, "NOANSWER"));
                } // else: rings until the Originate timeout fires
            }
        }
    }

    private void dialFailedA(int n, String status) {
        if (phase != Phase.LEG_A_DIAL) {
            return;
        }
        calleeFailed(ch2, vars2, chA, status);
        reportA(n);
    }

    private void reportA(int n) {
        phase = Phase.LEG_A_REPORT;
        String status = var(vars2, "DIALSTATUS");
        agi(ch2, vars2, 6, "report?leg=a", List.of(var(vars2, "HUIBO_CALLBACK"), var(vars2, "HUIBO_ATTEMPT"),
            String.valueOf(n), status, String.valueOf(ch2.hangupCause))).onSuccess(ok -> {
                if (phase != Phase.LEG_A_REPORT) {
                    return;
                }
                boolean next = "1".equals(vars2.get("HUIBO_NEXT")) && n < dialCount(vars2);
                gotoIf(ch2, 7, next, "next");
                if (next) {
                    tryA(n + 1);
                    return;
                }
                boolean busy = status.equals("BUSY");
                gotoIf(ch2, 8, busy, "busy");
                if (busy) {
                    finishA(Scenario.Outcome.BUSY, status);
                    return;
                }
                boolean congestion = status.equals("CONGESTION") || status.equals("CHANUNAVAIL");
                gotoIf(ch2, 9, congestion, "congestion");
                finishA(congestion ? Scenario.Outcome.CONGESTION : Scenario.Outcome.NOANSWER, status);
            });
    }

    private void answerA() {
        if (phase != Phase.LEG_A_DIAL) {
            return;
        }
        node.vertx().cancelTimer(originateTimer);
        ev.newState(chA, 6);
        emit(dialEnd(ch2, chA, "ANSWER"));
        String bridgeA = java.util.UUID.randomUUID().toString();
        ch2.bridgeId = bridgeA;
        chA.bridgeId = bridgeA;
        ev.newState(ch2, 6);
        ev.newState(ch1, 6);
        emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", "ANSWER"));
        outcome = "answered";
        emit(originateResponse(req, "Success", ch1.name, 4, ch1.uniqueid));
        ch2.application = "Dial";
        ch2.applicationData = "";
        runConnect();
    }

    /** After the last try: Busy(5), Congestion(5) or Hangup() on ;2, which ends the Originate. */
    private void finishA(Scenario.Outcome why, String dialStatus) {
        int cause;
        int reason;
        switch (why) {
            case BUSY -> { cause = 17; reason = 5; outcome = "busy"; }
            case CONGESTION -> { cause = 34; reason = 8; outcome = "congestion"; }
            default -> { cause = 19; reason = 3; outcome = "noanswer"; }
        }
        if (why == Scenario.Outcome.BUSY || why == Scenario.Outcome.CONGESTION) {
            ev.newexten(ch2, why == Scenario.Outcome.BUSY ? 11 : 12, why == Scenario.Outcome.BUSY ? "Busy" : "Congestion", "5");
            ev.newState(ch2, 7);
        } else {
            ev.newexten(ch2, 10, "Hangup", "");
        }
        emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", dialStatus));
        emit(originateFailed(reason));
        hangup1(cause);
        hangup2(cause);
        end();
    }

    /** The Originate's Timeout ran out before leg A answered: the ;1 half goes, taking ;2 and a ringing A along. */
    private void originateTimeout() {
        if (phase != Phase.LEG_A_AGI && phase != Phase.LEG_A_DIAL && phase != Phase.LEG_A_REPORT) {
            return;
        }
        outcome = "noanswer";
        if (chA != null && chA.alive) {
            emit(dialEnd(ch2, chA, "CANCEL"));
            ev.hangup(chA, 0);
            vars2.put("DIALSTATUS", "CANCEL");
            ev.varSet(ch2, "DIALSTATUS", "CANCEL");
        }
        emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", "CANCEL"));
        emit(originateFailed(3));
        hangup1(19);
        hangup2(19);
        end();
    }

    /** No route (AGI failed or refused): Hangup(38) on ;2, the Originate fails with Reason 0. */
    private void agiFailedA() {
        outcome = "failed";
        emit(ch1.appendTo(AmiMessage.event("DialEnd", "call,all"), "Dest").add("DialStatus", "CHANUNAVAIL"));
        emit(originateFailed(0));
        hangup1(38);
        hangup2(38);
        end();
    }

    // ---------------------------------------------------------------- [huibo-connect] on the ;1 half

    private void runConnect() {
        connecting = true;
        memo.remember("a", "ANSWER");
        ch1.context = req.context() == null ? "huibo-connect" : req.context();
        ch1.exten = req.exten();
        boolean confirm = "1".equals(vars1.get("HUIBO_CONFIRM"));
        gotoIf(ch1, 1, !confirm, "route");
        if (!confirm) {
            routeB();
            return;
        }
        phase = Phase.CONFIRM;
        ev.newexten(ch1, 2, "Playback", "huibo/press-1-to-connect");
        // Keys pressed while the prompt plays don't count: the scenario's key comes after it.
        timer(node.scenario().prompt(), () -> {
            if (phase != Phase.CONFIRM) {
                return;
            }
            read(ch1, vars1, 3, "HUIBO_DIGIT", "", 1, 1, node.scenario().press(legA), CONFIRM_READ, digit -> {
                if (phase != Phase.CONFIRM) {
                    return;
                }
                boolean unconfirmed = !"1".equals(digit);
                gotoIf(ch1, 4, unconfirmed, "unconfirmed");
                if (unconfirmed) {
                    unconfirmed();
                } else {
                    routeB();
                }
            });
        });
    }

    /** Hangup(19) on ;1: leg A did not press 1. */
    private void unconfirmed() {
        legBOutcome = "unconfirmed";
        ev.newexten(ch1, 17, "Hangup", "19");
        ch1.hangupCause = 19;
        ev.softHangupRequest(ch1, 19);
        hangup1(19);
        hangup2(16);
        ev.hangup(chA, 16);
        end();
    }

    private void routeB() {
        phase = Phase.LEG_B_AGI;
        set(ch1, vars1, 5, "HUIBO_TRY", "0");
        agi(ch1, vars1, 6, "route?leg=b", List.of(var(vars1, "HUIBO_CALLBACK"), var(vars1, "HUIBO_ATTEMPT")))
            .onSuccess(ok -> {
                if (phase != Phase.LEG_B_AGI) {
                    return;
                }
                boolean collect = "1".equals(vars1.get("HUIBO_COLLECT"));
                gotoIf(ch1, 7, collect, "collect");
                if (collect) {
                    collect();
                } else {
                    dialB();
                }
            });
    }

    /** Read(HUIBO_DEST,huibo/enter-destination,20,,1,10), then route?leg=b&collected=1 with the digits. */
    private void collect() {
        phase = Phase.COLLECT;
        read(ch1, vars1, 14, "HUIBO_DEST", "huibo/enter-destination", 20, 1, node.scenario().keys(legA), DEST_READ, dest -> {
            if (phase != Phase.COLLECT) {
                return;
            }
            collected = dest;
            agi(ch1, vars1, 15, "route?leg=b&collected=1",
                List.of(var(vars1, "HUIBO_CALLBACK"), var(vars1, "HUIBO_ATTEMPT"), dest)).onSuccess(ok -> {
                    if (phase != Phase.COLLECT) {
                        return;
                    }
                    ev.newexten(ch1, 16, "Goto", "dial");
                    dialB();
                });
        });
    }

    private void dialB() {
        boolean none = dialCount(vars1) < 1;
        gotoIf(ch1, 8, none, "failed");
        if (none) {
            legBOutcome = "failed";
            ev.newexten(ch1, 18, "Hangup", "38");
            hangupAll(38, 16, 16);
            return;
        }
        tryB(1);
    }

    private void tryB(int n) {
        phase = Phase.LEG_B_DIAL;
        triesB = n;
        set(ch1, vars1, 9, "HUIBO_TRY", String.valueOf(n));
        String dial = var(vars1, "HUIBO_DIAL_" + n);
        if (dial.isBlank()) {
            legBOutcome = "failed";
            ev.newexten(ch1, 10, "Dial", "");
            hangupAll(16, 16, 16);
            return;
        }
        legB = numberOf(dial);
        Duration ring = ringTimeout(vars1, DEFAULT_B_RING);
        Scenario.Outcome trunk = node.scenario().trunk(trunkOf(dial));
        Scenario.Behaviour b = trunk == null ? node.scenario().next(legB) : null;
        Scenario.Outcome what = trunk != null ? trunk : b.outcome();
        if (what == Scenario.Outcome.CHANUNAVAIL) {
            dialUnavailable(ch1, vars1, 10, dial, ring, () -> reportB(n));
            return;
        }
        chB = startDial(ch1, vars1, 10, dial, ring);
        switch (what) {
            case ANSWER -> {
                Duration talk = b.talk() != null ? b.talk()
                    : (behaviourA != null && behaviourA.talk() != null ? behaviourA.talk() : node.scenario().defaultTalk());
                if (ring.compareTo(b.answerAfter()) < 0) {
                    timer(ring, () -> dialFailedB(n, "NOANSWER"));
                } else {
                    timer(b.answerAfter(), () -> answerB(talk));
                }
            }
            case BUSY -> timer(Duration.ofMillis(20), () -> dialFailedB(n, "BUSY"));
            case CONGESTION -> timer(Duration.ofMillis(20), () -> dialFailedB(n, "CONGESTION"));
            default -> timer(ring, () -> dialFailedB(n, "NOANSWER"));
        }
    }

    private void answerB(Duration talk) {
        if (phase != Phase.LEG_B_DIAL) {
            return;
        }
        phase = Phase.TALKING;
        ev.newState(chB, 6);
        emit(dialEnd(ch1, chB, "ANSWER"));
        String bridgeB = java.util.UUID.randomUUID().toString();
        ch1.bridgeId = bridgeB;
        chB.bridgeId = bridgeB;
        ev.varSet(ch1, "DIALSTATUS", "ANSWER");
        vars1.put("DIALSTATUS", "ANSWER");
        legBOutcome = "answered";
        memo.answeredB();
        timer(talk, () -> {
            if (phase != Phase.TALKING) {
                return;
            }
            // Callee hangs up after talking: B first, then the ;1 half, the ;2 half and leg A. Dial() has no
            // 'g' option, so the dialplan ends here and no report is sent for an answered try.
            ev.hangupRequest(chB, 16);
            ev.hangup(chB, 16);
            ev.softHangupRequest(ch1, 16);
            hangup1(16);
            hangup2(16);
            ev.hangup(chA, 16);
            end();
        });
    }

    private void dialFailedB(int n, String status) {
        if (phase != Phase.LEG_B_DIAL) {
            return;
        }
        calleeFailed(ch1, vars1, chB, status);
        reportB(n);
    }

    private void reportB(int n) {
        phase = Phase.LEG_B_REPORT;
        String status = var(vars1, "DIALSTATUS");
        agi(ch1, vars1, 11, "report?leg=b", List.of(var(vars1, "HUIBO_CALLBACK"), var(vars1, "HUIBO_ATTEMPT"),
            String.valueOf(n), status, String.valueOf(ch1.hangupCause))).onSuccess(ok -> {
                if (phase != Phase.LEG_B_REPORT) {
                    return;
                }
                boolean next = "1".equals(vars1.get("HUIBO_NEXT")) && n < dialCount(vars1);
                gotoIf(ch1, 12, next, "next");
                if (next) {
                    tryB(n + 1);
                    return;
                }
                legBOutcome = switch (status) {
                    case "BUSY" -> "busy";
                    case "CONGESTION", "CHANUNAVAIL" -> "congestion";
                    case "NOANSWER" -> "noanswer";
                    default -> "failed";
                };
                ev.newexten(ch1, 13, "Hangup", "");
                ev.softHangupRequest(ch1, 16);
                // Trace two-leg-b-busy: the A side's Hangup carries the failed Dial's cause; 16 when it had none.
                hangup1(ch1.hangupCause != 0 ? ch1.hangupCause : 16);
                hangup2(16);
                ev.hangup(chA, 16);
                end();
            });
    }

    // ---------------------------------------------------------------- teardown

    /** AMI Hangup action on one of our channels: everything goes, with that cause. */
    @Override
    public void hangupByAction(int cause) {
        if (phase == Phase.ENDED) {
            return;
        }
        if (outcome == null) {
            outcome = "hungup";
            emit(originateFailed(1));
        } else if (legBOutcome == null) {
            legBOutcome = "hungup";
        }
        hangupAll(cause, cause, cause);
    }

    private void hangupAll(int cause1, int cause2, int causeOthers) {
        if (chB != null && chB.alive) {
            ev.hangup(chB, causeOthers);
        }
        hangup1(cause1);
        hangup2(cause2);
        if (chA != null) {
            ev.hangup(chA, causeOthers);
        }
        end();
    }

    /** The node died: no events, the call just vanishes. */
    @Override
    public void drop() {
        if (phase != Phase.ENDED) {
            dropped = true;
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
        cancelTimers();
        node.callEnded(this);
    }

    @Override
    boolean ended() {
        return phase == Phase.ENDED;
    }

    /** The ;1 half hangs up; once in [huibo-connect], its h extension remembers how leg B ended. */
    private void hangup1(int cause) {
        ev.hangup(ch1, cause);
        if (connecting) {
            memo.remember("b", var(vars1, "DIALSTATUS") + ":" + cause);
        }
    }

    /** The ;2 half hangs up; the h extension of [huibo-leg-a] remembers how leg A ended. */
    private void hangup2(int cause) {
        ev.hangup(ch2, cause);
        memo.remember("a", var(vars2, "DIALSTATUS") + ":" + cause);
    }

    // ---------------------------------------------------------------- dialplan applications

    /**
     * Gosub(huibo-agi,s,1(script,args...)): HUIBO_AGI (the instance that placed the call) first, then
     * HUIBO_AGI_2, HUIBO_AGI_3, ... while AGISTATUS is FAILURE and another address is set.
     */
    private io.vertx.core.Future<Boolean> agi(SimChannel ch, Map<String, String> vars, int priority, String script,
                                              List<String> args) {
        List<String> addrs = new ArrayList<>();
        String first = var(vars, "HUIBO_AGI");
        addrs.add(first.isEmpty() ? node.fallbackAgi() : first);
        for (int i = 2; !var(vars, "HUIBO_AGI_" + i).isEmpty(); i++) {
            addrs.add(var(vars, "HUIBO_AGI_" + i));
        }
        return agiInTurn(ch, vars, priority, addrs, script, args);
    }

    private SimChannel startDial(SimChannel caller, Map<String, String> vars, int priority, String dial, Duration ring) {
        dialStarted(caller, vars, priority, dial, ring);
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
        ev.varSet(callee, "DIALEDPEERNUMBER", rest);
        ev.newexten(callee, 1, "AppDial", "(Outgoing Line)");
        AmiMessage begin = caller.appendTo(AmiMessage.event("DialBegin", "call,all"));
        emit(callee.appendTo(begin, "Dest").add("DialString", rest));
        ev.newState(callee, 5);
        AmiMessage ringing = caller.appendTo(AmiMessage.event("DialState", "call,all"));
        emit(callee.appendTo(ringing, "Dest").add("DialStatus", "RINGING"));
        return callee;
    }

    /** Newexten Dial and the empty VarSets every Dial() starts with (traces). */
    private void dialStarted(SimChannel caller, Map<String, String> vars, int priority, String dial, Duration ring) {
        ev.newexten(caller, priority, "Dial", dial + (ring == null ? "" : "," + ring.toSeconds()));
        for (String v : new String[] {"DIALSTATUS", "DIALEDPEERNUMBER", "DIALEDPEERNAME", "ANSWEREDTIME",
            "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS", "RINGTIME", "RINGTIME_MS", "PROGRESSTIME", "PROGRESSTIME_MS"}) {
            vars.put(v, "");
            ev.varSet(caller, v, "");
        }
    }

    /** The trunk has no way out: the channel cannot even be requested, so there is no callee channel. */
    private void dialUnavailable(SimChannel caller, Map<String, String> vars, int priority, String dial, Duration ring,
                                 Runnable then) {
        dialStarted(caller, vars, priority, dial, ring);
        caller.hangupCause = 20;
        vars.put("DIALSTATUS", "CHANUNAVAIL");
        timer(Duration.ofMillis(5), () -> {
            ev.varSet(caller, "DIALSTATUS", "CHANUNAVAIL");
            then.run();
        });
    }

    /** The ringing callee ends without answering; DIALSTATUS and HANGUPCAUSE on the caller say how. */
    private void calleeFailed(SimChannel caller, Map<String, String> vars, SimChannel callee, String status) {
        if (status.equals("NOANSWER")) {
            emit(dialEnd(caller, callee, status));
            ev.hangup(callee, 0);
        } else {
            int cause = status.equals("BUSY") ? 17 : 34;
            caller.hangupCause = cause;
            ev.hangupRequest(callee, cause);
            emit(dialEnd(caller, callee, status));
            ev.hangup(callee, cause);
        }
        vars.put("DIALSTATUS", status);
        ev.varSet(caller, "DIALSTATUS", status);
    }

    private static AmiMessage dialEnd(SimChannel caller, SimChannel callee, String status) {
        AmiMessage m = caller.appendTo(AmiMessage.event("DialEnd", "call,all"));
        return callee.appendTo(m, "Dest").add("DialStatus", status);
    }

    /** HUIBO_DIAL_COUNT as $[...] reads it: a number, else none. */
    private static int dialCount(Map<String, String> vars) {
        try {
            return Integer.parseInt(var(vars, "HUIBO_DIAL_COUNT").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Duration ringTimeout(Map<String, String> vars, Duration dflt) {
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

    /** The trunk of a dial string: the part after '@', null without one. */
    static String trunkOf(String dial) {
        int at = dial.indexOf('@');
        return at >= 0 ? dial.substring(at + 1) : null;
    }

    private void emit(AmiMessage m) {
        node.emit(m);
    }
}
