package io.huibo.agi;

import io.huibo.service.DialinHook;
import io.huibo.service.DialinResult;
import io.vertx.core.Future;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dialin} script of the [huibo-dialin] context: {@code dialin?access=<exten>} when a
 * caller dials an access number, then {@code &step=pin} and {@code &step=destination,<digits>} as
 * the dialplan collects digits. The PIN is read from the channel ({@code GET VARIABLE HUIBO_PIN}), not
 * passed as an argument: Asterisk logs every application with its arguments at verbose level 3, so
 * an argument would write the PIN into the node's log (seen on Asterisk 20). An argument is still
 * accepted, from dialplans older than that ({@code step=pin,<pin>}, {@code step=destination,<digits>,<pin>}).
 * Every step first asks {@link DialinHook#accessAllowed} about the extension the call is in (the
 * access number dialed); a refusal is {@code refused} with {@code HUIBO_ERROR=access-number}.
 * The caller is the
 * channel's caller ID ({@code agi_callerid}); the decisions are {@link DialinHook}'s, this class only
 * speaks the protocol: {@code HUIBO_RESULT} = queued | pin | collect | refused, and on a refusal
 * {@code HUIBO_ERROR} with the reason (not read by the dialplan; seen in VarSet events and logs).
 */
public final class DialinScript implements AgiScript {

    private static final Logger LOG = LoggerFactory.getLogger(DialinScript.class);

    public static final String NAME = "dialin";
    public static final String VAR_RESULT = "HUIBO_RESULT";
    public static final String VAR_ERROR = RouteScript.VAR_ERROR;
    public static final List<String> VARIABLES = List.of(VAR_RESULT, VAR_ERROR);
    /** Set by the dialplan's Read(), read here. */
    public static final String VAR_PIN = "HUIBO_PIN";

    private final DialinHook hook;
    private final Map<DialinResult.Kind, LongAdder> counts = new EnumMap<>(DialinResult.Kind.class);

    public DialinScript(DialinHook hook) {
        this.hook = Objects.requireNonNull(hook, "hook");
        for (DialinResult.Kind k : DialinResult.Kind.values()) {
            counts.put(k, new LongAdder());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    public long count(DialinResult.Kind kind) {
        return counts.get(kind).sum();
    }

    @Override
    public Future<Void> run(AgiSession session) {
        AgiRequest req = session.request();
        String caller = req.get("agi_callerid");
        String step = req.param("step");
        Future<DialinResult> decided;
        try {
            if (!hook.accessAllowed(access(req))) {
                decided = Future.succeededFuture(DialinResult.refused("access-number"));
            } else if (step == null || step.isEmpty()) {
                decided = hook.call(caller);
            } else if (step.equals("pin")) {
                decided = pin(session, req.arg(1)).compose(pin -> hook.pin(caller, pin));
            } else if (step.equals("destination")) {
                decided = pin(session, req.arg(2)).compose(pin -> hook.destination(caller, req.arg(1), pin));
            } else {
                decided = Future.succeededFuture(DialinResult.refused("bad-step"));
            }
        } catch (RuntimeException e) {
            decided = Future.failedFuture(e);
        }
        return decided.transform(ar -> {
            DialinResult r;
            if (ar.failed() || ar.result() == null) {
                LOG.warn("dialin: the hook failed for channel {}: {}", AgiCommands.printable(req.channel()),
                        ar.failed() ? ar.cause().toString() : "no result");
                r = DialinResult.refused("hook-failed");
            } else {
                r = ar.result();
            }
            counts.get(r.kind()).increment();
            Future<Void> set = session.setVariable(VAR_RESULT, r.kind().wire());
            if (r.kind() == DialinResult.Kind.REFUSED && r.reason() != null) {
                set = set.compose(v -> session.setVariable(VAR_ERROR, r.reason()));
            }
            return set;
        });
    }

    /**
     * The number the caller dialed: the extension [huibo-dialin] runs in (agi_extension, set by Asterisk,
     * not by the dialplan's arguments), else the {@code access} argument of older dialplans.
     */
    static String access(AgiRequest req) {
        String exten = req.get("agi_extension");
        if (exten != null && !exten.isEmpty() && !exten.equals("s")) {
            return exten;
        }
        return req.param("access");
    }

    /** The PIN an older dialplan passed as an argument, else the channel's HUIBO_PIN (null when unset). */
    private static Future<String> pin(AgiSession session, String arg) {
        if (arg != null && !arg.isEmpty()) {
            return Future.succeededFuture(arg);
        }
        return session.getVariable(VAR_PIN).map(v -> v.filter(p -> !p.isEmpty()).orElse(null));
    }
}
