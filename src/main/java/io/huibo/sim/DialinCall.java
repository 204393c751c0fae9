package io.huibo.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A caller dialing an access number: an incoming PJSIP channel that runs [huibo-dialin] of the loaded dialplan
 * with the access number as its extension. Like the real trace (extra/fastagi-dialin, ami-dialin) the channel
 * rings (state 4) until the dialplan answers it; Busy() on it unanswered is an immediate 486 from chan_pjsip
 * (cause 17, never Up, never billed). Node event loop only.
 */
final class DialinCall extends DialplanCall {
    /** What the caller brings along: who, which access number, what they key in when asked. */
    record Request(String caller, String callerName, String access, String pin, String keys) {}

    /**
     * What the caller experienced: {@code busy} (Busy, never answered), {@code rejected} (Hangup(21),
     * answered or not), {@code answered} (answered and thanked); the final Hangup cause and HUIBO_RESULT.
     */
    record Result(String result, boolean answered, int cause, String huiboResult, String channelId) {
        JsonObject toJson() {
            return new JsonObject().put("result", result).put("answered", answered).put("cause", cause)
                .put("huiboResult", huiboResult).put("channelId", channelId);
        }
    }

    private static final AtomicLong KEYS = new AtomicLong();
    private static final int SIP_BUSY_HERE = 486;
    private static final int SIP_UNAVAILABLE = 503;

    private final Request req;
    private final String key = "dialin-" + KEYS.incrementAndGet();
    private final Instant startedAt = Instant.now();
    private final Promise<Result> done = Promise.promise();
    private final SimChannel ch;
    private final PbxRun run;
    private volatile boolean ended;
    private volatile boolean answered;
    private volatile String huiboResult;
    /** The SIP answer chan_pjsip sent for Busy()/Congestion() before the call was answered; 0 for none. */
    private int techCause;
    private Integer actionCause;
    private volatile Result result;
    private volatile Instant endedAt;

    DialinCall(SimNode node, Request req, CallLog log) {
        super(node);
        this.req = req;
        String id = node.nextUniqueid();
        ch = new SimChannel("PJSIP/dialin-" + node.nextChannelSuffix(), id, id, "PJSIP", 4, "huibo-dialin",
            req.access(), 1);
        ch.callerIdNum = req.caller();
        ch.callerIdName = req.callerName() == null || req.callerName().isEmpty() ? "<unknown>" : req.callerName();
        ch.dnid = req.access();
        ch.callingPres = 0;
        run = new PbxRun(this, ch);
        log.add(this);
    }

    Future<Result> result() {
        return done.future();
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public List<SimChannel> channels() {
        return ch.alive ? List.of(ch) : List.of();
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public JsonObject toJson() {
        Result r = result;
        return new JsonObject().put("kind", "dialin").put("node", node.id()).put("channelId", ch.uniqueid)
            .put("callbackId", null).put("attempt", null).put("legA", req.caller()).put("legB", null)
            .put("access", req.access()).put("outcome", r == null ? null : r.result())
            .put("answered", answered).put("cause", r == null ? null : r.cause())
            .put("huiboResult", r == null ? huiboResult : r.huiboResult())
            .put("startedAt", startedAt.toString()).put("endedAt", endedAt == null ? null : endedAt.toString())
            .put("live", !ended);
    }

    void start() {
        ev.emit(ch.appendTo(AmiMessage.event("Newchannel", "call,all")));
        ev.varSet(ch, "SIPDOMAIN", "127.0.0.1");
        run.start("huibo-dialin", req.access(), 1);
    }

    @Override
    public Callee callee(PbxRun caller, String dial) {
        return scenarioCallee(dial, node.scenario().defaultTalk());
    }

    /** The caller answers prompts with the PIN and digits of the request, else the scenario's for their number. */
    @Override
    public Person listener(PbxRun r) {
        return new Person() {
            @Override
            public String keysAfter(String prompt) {
                if (prompt.endsWith("/enter-pin") && req.pin() != null) {
                    return req.pin();
                }
                if (prompt.endsWith("/enter-destination") && req.keys() != null) {
                    return req.keys();
                }
                return node.scenario().reply(req.caller(), prompt);
            }

            @Override
            public boolean hangsUpDuring(String prompt) {
                return false;
            }

            @Override
            public void hangUp() {
                run.requestHangup(16);
            }
        };
    }

    @Override
    public void answered(PbxRun r) {
        answered = true;
    }

    /** Unanswered, chan_pjsip answers Busy() with 486 (Congestion() with 503) and the channel goes at once. */
    @Override
    public void indicated(PbxRun r, int cause) {
        if (answered) {
            return;
        }
        techCause = cause == 17 ? SIP_BUSY_HERE : SIP_UNAVAILABLE;
        ev.emit(ch.appendTo(AmiMessage.event("HangupRequest", "call,all")).add("Cause", cause).add("TechCause", techCause));
        ev.emit(ch.appendTo(AmiMessage.event("SoftHangupRequest", "call,all")).add("Cause", 16).add("TechCause", techCause));
        run.requestHangup(cause);
    }

    @Override
    public void channelGone(PbxRun r) {
        huiboResult = run.variable("HUIBO_RESULT");
        int cause = actionCause != null ? actionCause : ch.hangupCause != 0 ? ch.hangupCause : 16;
        if (techCause != 0) {
            ch.alive = false;
            ev.emit(ch.appendTo(AmiMessage.event("Hangup", "call,all")).add("Cause", cause)
                .add("Cause-txt", ChannelEvents.causeText(cause)).add("TechCause", techCause));
        } else {
            ev.hangup(ch, cause);
        }
        String what;
        if (actionCause != null) {
            what = "hungup";
        } else if (techCause == SIP_BUSY_HERE) {
            what = "busy";
        } else if (answered && cause == 16) {
            what = "answered";
        } else {
            what = "rejected";
        }
        result = new Result(what, answered, cause, emptyToNull(huiboResult), ch.uniqueid);
        end();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        endedAt = Instant.now();
        cancelTimers();
        node.dialinEnded(this);
        if (result == null) {
            result = new Result("dropped", answered, 0, emptyToNull(huiboResult), ch.uniqueid);
        }
        done.tryComplete(result);
    }

    @Override
    public void hangupByAction(int cause) {
        if (ended) {
            return;
        }
        actionCause = cause;
        run.requestHangup(cause);
    }

    @Override
    public void drop() {
        if (!ended) {
            run.drop();
            ch.alive = false;
            end();
        }
    }
}
