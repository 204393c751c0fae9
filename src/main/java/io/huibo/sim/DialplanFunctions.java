package io.huibo.sim;

import io.vertx.core.Future;
import java.util.Locale;
import java.util.Set;

/** The dialplan functions the simulator knows (DB, DB_EXISTS, LOCAL, CALLERID) and DBdeltree, on the node's AstDB. */
final class DialplanFunctions {
    private static final Set<String> NAMES = Set.of("DB", "DB_EXISTS", "LOCAL", "CALLERID");

    private DialplanFunctions() {}

    static boolean has(String name) {
        return NAMES.contains(name.toUpperCase(Locale.ROOT));
    }

    static String read(PbxRun run, String name, String args) {
        switch (name.toUpperCase(Locale.ROOT)) {
            case "DB" -> {
                String[] fk = familyKey(args);
                return run.call.node().astDb().get(fk[0], fk[1]).orElse("");
            }
            case "DB_EXISTS" -> {
                String[] fk = familyKey(args);
                var v = run.call.node().astDb().get(fk[0], fk[1]);
                if (v.isEmpty()) {
                    return "0";
                }
                run.setVar("DB_RESULT", v.get());
                return "1";
            }
            case "LOCAL" -> {
                String v = run.vars.get(args.trim());
                return v == null ? "" : v;
            }
            case "CALLERID" -> {
                return switch (args.trim().toLowerCase(Locale.ROOT)) {
                    case "num", "number" -> run.ch.callerNum();
                    case "name" -> run.ch.callerName();
                    default -> throw new IllegalArgumentException("CALLERID(" + args + ") is not supported");
                };
            }
            default -> throw new IllegalArgumentException("unknown function '" + name + "'");
        }
    }

    static void write(PbxRun run, String name, String args, String value) {
        switch (name.toUpperCase(Locale.ROOT)) {
            case "DB" -> {
                String[] fk = familyKey(args);
                run.call.node().astDb().put(fk[0], fk[1], value);
            }
            case "LOCAL" -> run.setLocal(args.trim(), value);
            case "CALLERID" -> {
                String v = value.isEmpty() ? "<unknown>" : value;
                switch (args.trim().toLowerCase(Locale.ROOT)) {
                    case "num", "number" -> run.ch.callerIdNum = v;
                    case "name" -> run.ch.callerIdName = v;
                    default -> throw new IllegalArgumentException("CALLERID(" + args + ") is not supported");
                }
                run.call.events().newCallerid(run.ch);
            }
            default -> throw new IllegalArgumentException("function '" + name + "' cannot be written");
        }
    }

    /** DBdeltree(family[/keytree]). */
    static Future<App.Flow> dbDeltree(PbxRun run, String data) {
        String[] fk = familyKey(data);
        run.call.node().astDb().delTree(fk[0], fk[1]);
        return App.next();
    }

    /** "family/key/with/slashes" -> [family, key/with/slashes]; key "" without a slash. */
    private static String[] familyKey(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        if (slash <= 0) {
            return new String[] {t, ""};
        }
        return new String[] {t.substring(0, slash), t.substring(slash + 1)};
    }
}
