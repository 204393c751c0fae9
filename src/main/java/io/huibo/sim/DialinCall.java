package io.huibo.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A caller dialing an access number: an incoming PJSIP channel running [huibo-dialin] of dialplan/huibo.conf
 * (priorities as in the file). Like the real trace (extra/fastagi-dialin, ami-dialin) the channel rings
 * (state 4) while Huibo's {@code dialin} script decides; {@code queued} ends it with Busy(3), which on an
 * unanswered PJSIP channel is an immediate 486 (cause 17, never Up, never billed); {@code pin} and
 * {@code collect} answer it and read digits; anything else is Hangup(21). Node event loop only.
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
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final Request req;
    private final String agiAddr;
    private final String key = "dialin-" + KEYS.incrementAndGet();
    private final Instant startedAt = Instant.now();
    private final Map<String, String> vars = new HashMap<>();
    private final Promise<Result> done = Promise.promise();
    private final SimChannel ch;
    private volatile boolean ended;
    private volatile boolean answered;
    private volatile Result result;
    private volatile Instant endedAt;

    DialinCall(SimNode node, Request req, String agiAddr, CallLog log) {
        super(node);
        this.req = req;
        this.agiAddr = agiAddr;
        String id = node.nextUniqueid();
        ch = new SimChannel("PJSIP/dialin-" + node.nextChannelSuffix(), id, id, "PJSIP", 4, "huibo-dialin",
            req.access(), 1);
        ch.callerIdNum = req.caller();
        ch.callerIdName = req.callerName() == null || req.callerName().isEmpty() ? "<unknown>" : req.callerName();
        ch.dnid = req.access();
        ch.callingPres = 0;
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
    boolean ended() {
        return ended;
    }

    @Override
    public JsonObject toJson() {
        Result r = result;
        return new JsonObject().put("kind", "dialin").put("node", node.id()).put("channelId", ch.uniqueid)
            .put("callbackId", null).put("attempt", null).put("legA", req.caller()).put("legB", null)
            .put("access", req.access()).put("outcome", r == null ? null : r.result())
            .put("answered", answered).put("cause", r == null ? null : r.cause())
            .put("huiboResult", vars.get("HUIBO_RESULT"))
            .put("startedAt", startedAt.toString()).put("endedAt", endedAt == null ? null : endedAt.toString())
            .put("live", !ended);
    }

    void start() {
        ev.emit(ch.appendTo(AmiMessage.event("Newchannel", "call,all")));
        ev.varSet(ch, "SIPDOMAIN", "127.0.0.1");
        String access = "access=" + req.access();
        agi(ch, vars, 1, agiAddr, "dialin?" + access, List.of()).onSuccess(ok -> {
            if (ended) {
                return;
            }
            String r = var(vars, "HUIBO_RESULT");
            gotoIf(ch, 2, r.equals("queued"), "queued");
            if (r.equals("queued")) {
                busy();
                return;
            }
            gotoIf(ch, 3, r.equals("pin"), "pin");
            if (r.equals("pin")) {
                answer(7);
                read(ch, vars, 8, "HUIBO_PIN", "huibo/enter-pin", 8, 2, pin(), READ_TIMEOUT, pin ->
                    agi(ch, vars, 9, agiAddr, "dialin?" + access + "&step=pin", List.of(pin)).onSuccess(ok2 -> {
                        if (ended) {
                            return;
                        }
                        String r2 = var(vars, "HUIBO_RESULT");
                        gotoIf(ch, 10, r2.equals("queued"), "thanks");
                        if (r2.equals("queued")) {
                            thanks();
                            return;
                        }
                        gotoIf(ch, 11, r2.equals("collect"), "destination");
                        if (r2.equals("collect")) {
                            destination(access);
                        } else {
                            reject(12);
                        }
                    }));
                return;
            }
            gotoIf(ch, 4, r.equals("collect"), "collect");
            if (r.equals("collect")) {
                answer(13);
                destination(access);
            } else {
                reject(5);
            }
        });
    }

    private void destination(String access) {
        read(ch, vars, 14, "HUIBO_DEST", "huibo/enter-destination", 20, 1, keys(), READ_TIMEOUT, dest ->
            agi(ch, vars, 15, agiAddr, "dialin?" + access + "&step=destination", List.of(dest, var(vars, "HUIBO_PIN")))
                .onSuccess(ok -> {
                    if (ended) {
                        return;
                    }
                    boolean queued = var(vars, "HUIBO_RESULT").equals("queued");
                    gotoIf(ch, 16, queued, "thanks");
                    if (queued) {
                        thanks();
                    } else {
                        reject(17);
                    }
                }));
    }

    private String pin() {
        return req.pin() != null ? req.pin() : node.scenario().pin(req.caller());
    }

    private String keys() {
        return req.keys() != null ? req.keys() : node.scenario().keys(req.caller());
    }

    private void answer(int priority) {
        ev.newexten(ch, priority, "Answer", "");
        answered = true;
        ev.newState(ch, 6);
    }

    /** Busy(3) unanswered: chan_pjsip answers 486 at once, the channel goes with cause 17 (trace ami-dialin). */
    private void busy() {
        ev.newexten(ch, 6, "Busy", "3");
        ev.newState(ch, 7);
        ev.emit(ch.appendTo(AmiMessage.event("HangupRequest", "call,all")).add("Cause", 17).add("TechCause", 486));
        ev.emit(ch.appendTo(AmiMessage.event("SoftHangupRequest", "call,all")).add("Cause", 16).add("TechCause", 486));
        ch.alive = false;
        ev.emit(ch.appendTo(AmiMessage.event("Hangup", "call,all")).add("Cause", 17)
            .add("Cause-txt", ChannelEvents.causeText(17)).add("TechCause", 486));
        finish("busy", 17);
    }

    /** Hangup(21): refused, wrong PIN, bad destination, or Huibo unreachable. */
    private void reject(int priority) {
        ev.newexten(ch, priority, "Hangup", "21");
        ch.hangupCause = 21;
        ev.softHangupRequest(ch, 21);
        ev.hangup(ch, 21);
        finish("rejected", 21);
    }

    private void thanks() {
        ev.newexten(ch, 18, "Playback", "huibo/we-will-call-you-back");
        timer(node.scenario().prompt(), () -> {
            ev.newexten(ch, 19, "Hangup", "");
            ev.softHangupRequest(ch, 16);
            ev.hangup(ch, 16);
            finish("answered", 16);
        });
    }

    private void finish(String what, int cause) {
        result = new Result(what, answered, cause, vars.get("HUIBO_RESULT"), ch.uniqueid);
        end();
    }

    private void end() {
        ended = true;
        endedAt = Instant.now();
        cancelTimers();
        node.dialinEnded(this);
        if (result == null) {
            result = new Result("dropped", answered, 0, vars.get("HUIBO_RESULT"), ch.uniqueid);
        }
        done.tryComplete(result);
    }

    @Override
    public void hangupByAction(int cause) {
        if (ended) {
            return;
        }
        ev.hangup(ch, cause);
        result = new Result("hungup", answered, cause, vars.get("HUIBO_RESULT"), ch.uniqueid);
        end();
    }

    @Override
    public void drop() {
        if (!ended) {
            ch.alive = false;
            end();
        }
    }
}
