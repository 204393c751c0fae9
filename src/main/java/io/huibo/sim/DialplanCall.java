package io.huibo.sim;

import io.huibo.sim.dialplan.Dialplan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What originated calls and dial-ins share: the node, its events, the dialplan they run and the call's
 * timers. Everything runs on the node's event loop, and no timer fires once the call has ended.
 */
abstract class DialplanCall implements LiveCall, CallLog.Entry, CallFlow {
    final SimNode node;
    final ChannelEvents ev;
    private final List<Long> timers = new ArrayList<>();

    DialplanCall(SimNode node) {
        this.node = node;
        this.ev = new ChannelEvents(node);
    }

    @Override
    public SimNode node() {
        return node;
    }

    @Override
    public ChannelEvents events() {
        return ev;
    }

    @Override
    public Dialplan dialplan() {
        return node.dialplan();
    }

    @Override
    public final long timer(Duration d, Runnable r) {
        long id = node.vertx().setTimer(Math.max(1, d.toMillis()), t -> {
            if (!ended()) {
                r.run();
            }
        });
        timers.add(id);
        return id;
    }

    @Override
    public final void cancelTimer(long id) {
        node.vertx().cancelTimer(id);
    }

    final void cancelTimers() {
        for (long t : timers) {
            node.vertx().cancelTimer(t);
        }
        timers.clear();
    }

    /**
     * The scenario's callee for a dial string: a trunk's behaviour wins (and leaves the number's counter
     * alone, the call never reached it), else the number's next behaviour.
     */
    final Callee scenarioCallee(String dial, Duration talk) {
        String number = numberOf(dial);
        Scenario.Outcome trunk = node.scenario().trunk(trunkOf(dial));
        if (trunk != null) {
            return new Callee(number, trunk, Duration.ZERO, talk);
        }
        Scenario.Behaviour b = node.scenario().next(number);
        return new Callee(number, b.outcome(), b.answerAfter(), b.talk() != null ? b.talk() : talk);
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
}
