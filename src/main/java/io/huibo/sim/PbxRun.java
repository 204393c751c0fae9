package io.huibo.sim;

import io.huibo.sim.dialplan.Args;
import io.huibo.sim.dialplan.DialplanException;
import io.huibo.sim.dialplan.Extension;
import io.huibo.sim.dialplan.Priority;
import io.huibo.sim.dialplan.Substitution;
import io.huibo.sim.dialplan.Variables;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel executing the dialplan, as Asterisk's pbx thread does: priority after priority, each with its
 * Newexten, until an application returns -1 or a hangup is requested; then the {@code h} extension of the
 * context it is in, then the channel goes. Owns the channel's variables and its Gosub stack. Node event loop
 * only; an application that waits registers how a hangup request interrupts it ({@link #block}).
 */
final class PbxRun {
    private static final Logger log = LoggerFactory.getLogger(PbxRun.class);

    /** One Gosub: where Return goes back to, and the LOCAL()/ARGn names it shadows. */
    private record Frame(String context, String exten, int priority, List<String> locals, int argc) {}

    final CallFlow call;
    final SimChannel ch;
    final Variables vars = new Variables();
    private final Deque<Frame> frames = new ArrayDeque<>();
    /** The prompt the person heard last, which a Read() without its own prompt is answered after. */
    String lastPrompt = "";
    private boolean hangupRequested;
    private boolean inH;
    private boolean gone;
    private Runnable interrupt;
    /** Set while the run is a U() subroutine on a callee: it ends at the Return of its first frame. */
    private Promise<Void> subroutine;

    PbxRun(CallFlow call, SimChannel ch) {
        this.call = call;
        this.ch = ch;
    }

    boolean gone() {
        return gone;
    }

    void start(String context, String exten, int priority) {
        ch.context = context;
        ch.exten = exten;
        ch.priority = priority;
        step();
    }

    // ---------------------------------------------------------------- the pbx loop

    private void step() {
        while (!gone && !call.ended()) {
            if (hangupRequested && !inH) {
                end();
                return;
            }
            Optional<Priority> p = call.dialplan().priority(ch.context, ch.exten, ch.priority);
            if (p.isEmpty()) {
                if (inH) {
                    finish();
                } else {
                    end(); // autofallthrough: nothing left to run
                }
                return;
            }
            Future<App.Flow> f = execute(p.get());
            if (!f.isComplete()) {
                f.onComplete(ar -> {
                    if (advance(ar)) {
                        step();
                    }
                });
                return;
            }
            if (!advance(f)) {
                return;
            }
        }
    }

    private Future<App.Flow> execute(Priority p) {
        DialplanApps.Entry app = DialplanApps.get(p.app());
        String data = p.data();
        try {
            data = expand(p.data());
            call.events().newexten(ch, ch.priority, app.name(), data);
            return app.app().run(this, data);
        } catch (DialplanException | IllegalArgumentException e) {
            // Asterisk logs the failing application and ends the dialplan of this channel
            log.warn("{}: {}({}): {}", p.where(), app.name(), data, e.getMessage());
            return App.hangup();
        }
    }

    /** Applies an application's result; false when the loop must stop (the run ended or a subroutine returned). */
    private boolean advance(AsyncResult<App.Flow> r) {
        if (gone || call.ended()) {
            return false;
        }
        App.Flow flow = r.succeeded() ? r.result() : App.Flow.HANGUP;
        if (r.failed()) {
            log.warn("{} at {},{},{}: {}", ch.name, ch.context, ch.exten, ch.priority, r.cause().toString());
        }
        if (subroutine != null && subroutine.future().isComplete()) {
            return false;
        }
        switch (flow) {
            case NEXT -> ch.priority++;
            case JUMPED -> { }
            case HANGUP -> {
                if (inH) {
                    finish();
                } else {
                    end();
                }
                return false;
            }
        }
        return true;
    }

    /** The dialplan is over: the h extension of the current context, then the channel goes. */
    private void end() {
        if (subroutine != null) {
            subroutine.tryComplete();
            return;
        }
        if (inH || gone) {
            return;
        }
        hangupRequested = true;
        call.pbxEnding(this);
        Optional<Extension> h = call.dialplan().extension(ch.context, "h");
        if (h.isEmpty()) {
            finish();
            return;
        }
        inH = true;
        ch.exten = "h";
        ch.priority = 1;
        step();
    }

    private void finish() {
        if (gone) {
            return;
        }
        gone = true;
        interrupt = null;
        call.channelGone(this);
    }

    /** A hangup reaches the channel: the waiting application is interrupted, the dialplan ends. */
    void requestHangup(int cause) {
        if (gone || hangupRequested) {
            return;
        }
        hangupRequested = true;
        if (cause > 0) {
            ch.hangupCause = cause;
        }
        Runnable r = interrupt;
        interrupt = null;
        if (r != null) {
            r.run();
        }
    }

    /** The node died: nothing more happens on this channel, not even its h extension. */
    void drop() {
        gone = true;
        interrupt = null;
    }

    /**
     * For an application that waits: the promise it completes when done. A hangup request runs
     * {@code onHangup} at once (events that belong to the hangup itself) and completes the promise with
     * HANGUP on a later turn of the event loop, so the channel that caused the hangup finishes first.
     */
    Promise<App.Flow> block(Runnable onHangup) {
        Promise<App.Flow> p = Promise.promise();
        if (hangupRequested && !inH) {
            onHangup.run();
            p.complete(App.Flow.HANGUP);
            return p;
        }
        interrupt = () -> {
            onHangup.run();
            call.node().vertx().runOnContext(v -> p.tryComplete(App.Flow.HANGUP));
        };
        p.future().onComplete(ar -> interrupt = null);
        return p;
    }

    // ---------------------------------------------------------------- variables

    String expand(String text) {
        return Substitution.expand(text, new Substitution.Source() {
            @Override
            public String variable(String name) {
                return PbxRun.this.variable(name);
            }

            @Override
            public String function(String name, String args) {
                return DialplanFunctions.read(PbxRun.this, name, args);
            }

            @Override
            public String badExpression(String expr, DialplanException e) {
                log.warn("{}: $[{}]: {}", ch.name, expr, e.getMessage());
                return "";
            }
        });
    }

    /** Builtins first, then the channel's variables (LOCAL ones shadow the others), then [globals]. */
    String variable(String name) {
        String v = switch (name) {
            case "EXTEN" -> ch.exten;
            case "CONTEXT" -> ch.context;
            case "PRIORITY" -> String.valueOf(ch.priority);
            case "CHANNEL" -> ch.name;
            case "UNIQUEID" -> ch.uniqueid;
            case "HANGUPCAUSE" -> String.valueOf(ch.hangupCause);
            default -> null;
        };
        if (v != null) {
            return v;
        }
        v = vars.get(name);
        return v != null ? v : call.node().global(name);
    }

    /** A plain channel variable, with its VarSet. */
    void setVar(String name, String value) {
        vars.set(name, value);
        call.events().varSet(ch, name, value);
    }

    /** Set()'s left-hand side: a function such as DB(...) or LOCAL(...), else a variable. */
    void assign(String name, String value) {
        int open = name.indexOf('(');
        if (open > 0 && name.endsWith(")")) {
            DialplanFunctions.write(this, name.substring(0, open), name.substring(open + 1, name.length() - 1), value);
        } else {
            setVar(name, value);
        }
    }

    /** LOCAL(name)=value: shadows the name until the current Gosub returns (frame_set_var). */
    void setLocal(String name, String value) {
        Frame f = frames.peek();
        if (f == null) {
            throw new IllegalArgumentException("LOCAL(" + name + ") outside a Gosub");
        }
        frameSet(f, name, value);
    }

    private void frameSet(Frame f, String name, String value) {
        if (f.locals().contains(name)) {
            vars.set(name, value);
        } else {
            f.locals().add(name);
            vars.push(name, value);
        }
        call.events().varSet(ch, name, value);
    }

    // ---------------------------------------------------------------- jumps

    /** Goto's {@code [[context,]exten,]priority}, priority a number or a label; false when there is no such place. */
    boolean jump(String target) {
        List<String> parts = Args.split(target.trim());
        String context = parts.size() == 3 ? parts.get(0).trim() : ch.context;
        String exten = parts.size() >= 2 ? parts.get(parts.size() - 2).trim() : ch.exten;
        String prio = parts.get(parts.size() - 1).trim();
        Optional<Extension> e = call.dialplan().extension(context, exten);
        Optional<Priority> p = e.flatMap(x -> prio.matches("\\d+") ? x.priority(Integer.parseInt(prio)) : x.label(prio));
        if (p.isEmpty()) {
            log.warn("{}: no such place {} (from {},{},{})", ch.name, target, ch.context, ch.exten, ch.priority);
            return false;
        }
        ch.context = context;
        ch.exten = exten;
        ch.priority = p.get().number();
        return true;
    }

    /** Gosub: a frame with ARG1..ARGn (masking an outer frame's extra ones) and ARGC, then the jump. */
    boolean gosub(String target, List<String> args) {
        String returnContext = ch.context;
        String returnExten = ch.exten;
        int returnPriority = ch.priority + 1;
        if (!jump(target)) {
            return false;
        }
        Frame outer = frames.peek();
        Frame f = new Frame(returnContext, returnExten, returnPriority, new ArrayList<>(), args.size());
        frames.push(f);
        int masked = Math.max(args.size(), outer == null ? 0 : outer.argc());
        for (int i = 1; i <= masked; i++) {
            frameSet(f, "ARG" + i, i <= args.size() ? args.get(i - 1) : "");
        }
        frameSet(f, "ARGC", String.valueOf(args.size()));
        return true;
    }

    /** Return: the frame's names uncover their outer values, GOSUB_RETVAL is set; false without a Gosub. */
    boolean ret(String value) {
        Frame f = frames.poll();
        if (f == null) {
            return false;
        }
        for (String name : f.locals()) {
            vars.pop(name);
        }
        setVar("GOSUB_RETVAL", value);
        ch.context = f.context();
        ch.exten = f.exten();
        ch.priority = f.priority();
        if (subroutine != null && frames.isEmpty()) {
            subroutine.tryComplete();
        }
        return true;
    }

    /**
     * Dial's U(): runs {@code context,s,1(args)} on a callee that has no dialplan of its own, until its
     * Return; the callee's location is back where it was afterwards.
     */
    static Future<Void> subroutine(CallFlow call, SimChannel callee, String context, List<String> args) {
        PbxRun sub = new PbxRun(call, callee);
        String c = callee.context;
        String e = callee.exten;
        int p = callee.priority;
        sub.subroutine = Promise.promise();
        if (!sub.gosub(context + ",s,1", args)) {
            return Future.succeededFuture();
        }
        sub.step();
        return sub.subroutine.future().onComplete(v -> {
            callee.context = c;
            callee.exten = e;
            callee.priority = p;
        });
    }
}
