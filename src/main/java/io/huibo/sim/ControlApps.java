package io.huibo.sim;

import io.huibo.sim.dialplan.Args;
import io.vertx.core.Future;
import java.util.List;

/** Set, Goto, GotoIf, Gosub, Return and ExecIf: the applications that move a channel or change its variables. */
final class ControlApps {
    private ControlApps() {}

    /** Set(name=value): the value is everything after the first '='. */
    static Future<App.Flow> set(PbxRun run, String data) {
        int eq = data.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("Set requires name=value");
        }
        run.assign(data.substring(0, eq).trim(), data.substring(eq + 1));
        return App.next();
    }

    static Future<App.Flow> gotoApp(PbxRun run, String data) {
        return run.jump(data) ? App.jumped() : App.hangup();
    }

    /** GotoIf(cond?iftrue[:iffalse]): a false condition without a false branch goes on. */
    static Future<App.Flow> gotoIf(PbxRun run, String data) {
        int q = data.indexOf('?');
        if (q < 0) {
            throw new IllegalArgumentException("GotoIf requires condition?label");
        }
        List<String> branches = Args.split(data.substring(q + 1), ':');
        String target = isTrue(data.substring(0, q)) ? Args.at(branches, 0) : Args.at(branches, 1);
        if (target.isBlank()) {
            return App.next();
        }
        return run.jump(target) ? App.jumped() : App.hangup();
    }

    /** Gosub([[context,]exten,]priority[(arg1,...)]). */
    static Future<App.Flow> gosub(PbxRun run, String data) {
        String target = data.trim();
        List<String> args = List.of();
        int open = target.indexOf('(');
        if (open > 0 && target.endsWith(")")) {
            args = Args.split(target.substring(open + 1, target.length() - 1));
            target = target.substring(0, open);
        }
        return run.gosub(target, args) ? App.jumped() : App.hangup();
    }

    static Future<App.Flow> ret(PbxRun run, String data) {
        return run.ret(data) ? App.jumped() : App.hangup();
    }

    /** ExecIf(expr?app(args)[:app(args)]): runs the application in place, without a Newexten of its own. */
    static Future<App.Flow> execIf(PbxRun run, String data) {
        int q = data.indexOf('?');
        if (q < 0) {
            throw new IllegalArgumentException("ExecIf requires expr?app(args)");
        }
        List<String> apps = Args.split(data.substring(q + 1), ':');
        String chosen = isTrue(data.substring(0, q)) ? Args.at(apps, 0) : Args.at(apps, 1);
        if (chosen.isBlank()) {
            return App.next();
        }
        String[] call = Args.call(chosen);
        return DialplanApps.get(call[0]).app().run(run, call[1]).map(f -> f == App.Flow.JUMPED ? App.Flow.NEXT : f);
    }

    /** pbx_checkcondition: empty is false, an integer is its value, any other text is true. */
    static boolean isTrue(String cond) {
        String c = cond.trim();
        if (c.isEmpty()) {
            return false;
        }
        try {
            return Long.parseLong(c) != 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
