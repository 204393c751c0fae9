package io.huibo.sim;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The dialplan applications a simulated call runs (Set, GotoIf, AGI, Read) with the AMI events Asterisk
 * shows for them, and the call's timers. Subclasses hold the call flow; everything runs on the node's
 * event loop, and nothing a timer or AGI session started happens once the call has ended.
 */
abstract class DialplanCall implements LiveCall, CallLog.Entry {
    /** Time between a Read() starting (after its prompt) and the person's keys being complete. */
    private static final Duration KEYING = Duration.ofMillis(30);

    final SimNode node;
    final ChannelEvents ev;
    private final List<Long> timers = new ArrayList<>();

    DialplanCall(SimNode node) {
        this.node = node;
        this.ev = new ChannelEvents(node);
    }

    abstract boolean ended();

    /** Set(name=value) at {@code priority}. */
    final void set(SimChannel ch, Map<String, String> vars, int priority, String name, String value) {
        ev.newexten(ch, priority, "Set", name + "=" + value);
        vars.put(name, value);
        ev.varSet(ch, name, value);
    }

    final void gotoIf(SimChannel ch, int priority, boolean cond, String label) {
        ev.newexten(ch, priority, "GotoIf", (cond ? "1" : "0") + "?" + label);
    }

    /** AGI(agi://host:port/script,args...) against {@code agiAddr}; AGISTATUS is set when the session ends. */
    final Future<Boolean> agi(SimChannel ch, Map<String, String> vars, int priority, String agiAddr, String script,
                              List<String> args) {
        ev.newexten(ch, priority, "AGI", "agi://" + agiAddr + "/" + script + (args.isEmpty() ? "" : "," + String.join(",", args)));
        return node.agi().run(agiAddr, script, args, ch, vars, ev.agiListener(ch, () -> !ended())).map(r -> {
            if (!ended()) {
                vars.put("AGISTATUS", r.agiStatus());
                ev.varSet(ch, "AGISTATUS", r.agiStatus());
            }
            return true;
        });
    }

    /** AGI() against each address in turn until one is reached (AGISTATUS other than FAILURE) or none is left. */
    final Future<Boolean> agiInTurn(SimChannel ch, Map<String, String> vars, int priority, List<String> addrs,
                                    String script, List<String> args) {
        return agi(ch, vars, priority, addrs.get(0), script, args).compose(ok -> {
            if (ended() || addrs.size() == 1 || !"FAILURE".equals(vars.get("AGISTATUS"))) {
                return Future.succeededFuture(ok);
            }
            return agiInTurn(ch, vars, priority, addrs.subList(1, addrs.size()), script, args);
        });
    }

    /**
     * Read(var,prompt,max,,attempts,timeout): the prompt plays, then the person keys {@code keys} (cut to
     * {@code max}); keying nothing, every attempt times out and the variable is empty.
     */
    final void read(SimChannel ch, Map<String, String> vars, int priority, String var, String prompt, int max,
                    int attempts, String keys, Duration dialplanTimeout, Consumer<String> then) {
        ev.newexten(ch, priority, "Read", var + "," + prompt + "," + max + ",," + attempts + "," + dialplanTimeout.toSeconds());
        String digits = keys.length() > max ? keys.substring(0, max) : keys;
        Duration promptTime = prompt.isEmpty() ? Duration.ZERO : node.scenario().prompt();
        Duration wait = digits.isEmpty()
            ? promptTime.plus(node.scenario().readTimeout(dialplanTimeout)).multipliedBy(attempts)
            : promptTime.plus(KEYING);
        timer(wait, () -> {
            vars.put(var, digits);
            ev.varSet(ch, "READSTATUS", digits.isEmpty() ? "TIMEOUT" : "OK");
            ev.varSet(ch, var, digits);
            then.accept(digits);
        });
    }

    static String var(Map<String, String> vars, String name) {
        return vars.getOrDefault(name, "");
    }

    final long timer(Duration d, Runnable r) {
        long id = node.vertx().setTimer(Math.max(1, d.toMillis()), t -> {
            if (!ended()) {
                r.run();
            }
        });
        timers.add(id);
        return id;
    }

    final void cancelTimers() {
        for (long t : timers) {
            node.vertx().cancelTimer(t);
        }
        timers.clear();
    }
}
