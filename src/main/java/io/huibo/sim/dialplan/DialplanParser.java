package io.huibo.sim.dialplan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads extensions.conf syntax as pbx_config does for the constructs a Huibo dialplan needs: {@code [context]},
 * {@code exten => ext,prio(label),App(args)}, {@code same => n(label),App(args)}, {@code [globals]} with
 * {@code NAME=value}, {@code ;} comments ({@code \;} is a literal semicolon). Anything the simulator could not
 * run (an unknown application, function or Dial option, an expression that does not parse, a jump to a label
 * that is not there) is refused here with the file and line, so a call never meets it half way through.
 */
public final class DialplanParser {
    private static final Pattern EXTEN = Pattern.compile("(?i)^(exten|same)\\s*=>?\\s*(.*)$");
    private static final Pattern PRIORITY = Pattern.compile("^(\\d+|n)(?:\\(([A-Za-z0-9_-]+)\\))?$");
    private static final Pattern FUNC_LHS = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\((.*)\\)$");

    private final String source;
    private final Capabilities caps;
    private final Map<String, List<Extension>> contexts = new LinkedHashMap<>();
    private final Map<String, String> globals = new LinkedHashMap<>();
    private final List<Priority> jumps = new ArrayList<>();
    private final Map<Priority, String[]> where = new java.util.HashMap<>();

    private DialplanParser(String source, Capabilities caps) {
        this.source = source;
        this.caps = caps;
    }

    public static Dialplan parse(String text, String source, Capabilities caps) {
        return new DialplanParser(source, caps).run(text);
    }

    private Dialplan run(String text) {
        String context = null;
        Extension current = null;
        String[] lines = text.split("\r?\n", -1);
        for (int n = 1; n <= lines.length; n++) {
            String line = stripComment(lines[n - 1]).trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                throw new DialplanException(source, n, "'" + line + "' is not supported by the simulator");
            }
            if (line.startsWith("[")) {
                int close = line.indexOf(']');
                if (close < 0) {
                    throw new DialplanException(source, n, "context name without ']'");
                }
                context = line.substring(1, close).trim();
                if (context.isEmpty()) {
                    throw new DialplanException(source, n, "empty context name");
                }
                contexts.putIfAbsent(context, new ArrayList<>());
                current = null;
                continue;
            }
            if (context == null) {
                throw new DialplanException(source, n, "line outside any [context]");
            }
            if (context.equals("globals")) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new DialplanException(source, n, "[globals] expects NAME=value");
                }
                globals.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                continue;
            }
            Matcher m = EXTEN.matcher(line);
            if (!m.matches()) {
                throw new DialplanException(source, n, "cannot parse '" + line + "' (only exten => and same => lines)");
            }
            boolean same = m.group(1).equalsIgnoreCase("same");
            String rest = m.group(2);
            String extName;
            if (same) {
                if (current == null) {
                    throw new DialplanException(source, n, "'same =>' without an extension before it");
                }
                extName = current.name();
            } else {
                int comma = rest.indexOf(',');
                if (comma < 0) {
                    throw new DialplanException(source, n, "exten => needs ext,priority,application");
                }
                extName = rest.substring(0, comma).trim();
                rest = rest.substring(comma + 1);
                if (!ExtenPattern.valid(extName)) {
                    throw new DialplanException(source, n, "bad extension pattern '" + extName + "'");
                }
                current = extension(context, extName);
            }
            int comma = rest.indexOf(',');
            String prio = (comma < 0 ? rest : rest.substring(0, comma)).trim();
            String appPart = comma < 0 ? "" : rest.substring(comma + 1).trim();
            Matcher pm = PRIORITY.matcher(prio);
            if (!pm.matches()) {
                throw new DialplanException(source, n, "bad priority '" + prio + "' (a number or n, optionally with (label))");
            }
            int number = pm.group(1).equals("n") ? current.last() + 1 : Integer.parseInt(pm.group(1));
            if (pm.group(1).equals("n") && current.last() == 0) {
                throw new DialplanException(source, n, "priority n before any numbered priority of '" + extName + "'");
            }
            if (current.has(number)) {
                throw new DialplanException(source, n, "priority " + number + " of '" + extName + "' defined twice");
            }
            if (pm.group(2) != null && current.hasLabel(pm.group(2))) {
                throw new DialplanException(source, n, "label '" + pm.group(2) + "' defined twice in '" + extName + "'");
            }
            if (appPart.isEmpty()) {
                throw new DialplanException(source, n, "no application");
            }
            String[] call = Args.call(appPart);
            if (!appPart.contains("(") || !appPart.endsWith(")")) {
                if (appPart.contains("(") || appPart.contains(")") || appPart.contains(",")) {
                    throw new DialplanException(source, n, "cannot parse application '" + appPart + "'");
                }
            }
            Priority p = new Priority(number, pm.group(2), call[0], call[1], source, n);
            checkApp(p, p.app(), p.data());
            current.add(p);
            where.put(p, new String[] {context, extName});
            jumps.add(p);
        }
        Dialplan plan = new Dialplan(source, contexts, globals);
        for (Priority p : jumps) {
            checkJumps(plan, p, where.get(p)[0], where.get(p)[1]);
        }
        return plan;
    }

    private Extension extension(String context, String name) {
        List<Extension> list = contexts.get(context);
        for (Extension e : list) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        Extension e = new Extension(name);
        list.add(e);
        return e;
    }

    /** Everything from the first unescaped ';' goes; "\;" stands for ';'. */
    static String stripComment(String line) {
        StringBuilder b = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == ';') {
                b.append(';');
                i++;
            } else if (c == ';') {
                break;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- what the line asks for

    private void checkApp(Priority p, String app, String data) {
        if (!caps.hasApp(app)) {
            throw new DialplanException(source, p.line(), "unknown application '" + app + "'");
        }
        String expanded = checkExpand(p, data);
        String lower = app.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "set" -> {
                int eq = data.indexOf('=');
                if (eq <= 0) {
                    throw new DialplanException(source, p.line(), "Set() needs name=value");
                }
                Matcher f = FUNC_LHS.matcher(data.substring(0, eq).trim());
                if (f.matches() && !caps.hasFunction(f.group(1))) {
                    throw new DialplanException(source, p.line(), "unknown function '" + f.group(1) + "'");
                }
            }
            case "execif" -> {
                List<String> parts = Args.split(expanded, '?');
                if (parts.size() < 2) {
                    throw new DialplanException(source, p.line(), "ExecIf() needs expr?app(args)");
                }
                String apps = expanded.substring(expanded.indexOf('?') + 1);
                for (String inner : Args.split(apps, ':')) {
                    String[] c = Args.call(inner);
                    if (!c[0].isEmpty()) {
                        checkApp(p, c[0], c[1]);
                    }
                }
            }
            case "dial" -> checkDialOptions(p, Args.at(Args.split(expanded), 2));
            default -> { }
        }
    }

    /** Expands the data with every variable set to "1", which surfaces unknown functions and broken $[...]. */
    private String checkExpand(Priority p, String data) {
        try {
            return Substitution.expand(data, new Substitution.Source() {
                @Override
                public String variable(String name) {
                    return "1";
                }

                @Override
                public String function(String name, String args) {
                    if (!caps.hasFunction(name)) {
                        throw new DialplanException("unknown function '" + name + "'");
                    }
                    return "1";
                }

                @Override
                public String badExpression(String expr, DialplanException e) {
                    throw new DialplanException("expression $[" + expr + "]: " + e.getMessage());
                }
            });
        } catch (DialplanException e) {
            throw new DialplanException(source, p.line(), e.getMessage());
        }
    }

    private void checkDialOptions(Priority p, String options) {
        int depth = 0;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && !caps.hasDialOption(c)) {
                throw new DialplanException(source, p.line(), "Dial option '" + c + "' is not supported by the simulator");
            }
        }
    }

    // ---------------------------------------------------------------- jumps: the targets must exist

    private void checkJumps(Dialplan plan, Priority p, String context, String exten) {
        switch (p.app().toLowerCase(Locale.ROOT)) {
            case "goto" -> target(plan, p, context, exten, p.data(), false);
            case "gosub" -> target(plan, p, context, exten, p.data(), true);
            case "gotoif" -> {
                int q = p.data().lastIndexOf('?');
                if (q < 0) {
                    throw new DialplanException(source, p.line(), "GotoIf() needs condition?label");
                }
                for (String t : Args.split(p.data().substring(q + 1), ':')) {
                    if (!t.isBlank()) {
                        target(plan, p, context, exten, t, false);
                    }
                }
            }
            case "dial" -> {
                String opts = Args.at(Args.split(p.data()), 2);
                Matcher u = Pattern.compile("U\\(([^)^]*)").matcher(opts);
                if (u.find() && !u.group(1).contains("$")) {
                    target(plan, p, context, exten, u.group(1) + ",s,1", true);
                }
            }
            default -> { }
        }
    }

    private void target(Dialplan plan, Priority p, String context, String exten, String spec, boolean sub) {
        String loc = spec.trim();
        if (sub && loc.endsWith(")") && loc.contains("(")) {
            loc = loc.substring(0, loc.indexOf('('));
        }
        if (loc.contains("$")) {
            return; // computed at run time
        }
        List<String> parts = Args.split(loc);
        String ctx = parts.size() == 3 ? parts.get(0).trim() : context;
        String ext = parts.size() >= 2 ? parts.get(parts.size() - 2).trim() : exten;
        String pr = parts.get(parts.size() - 1).trim();
        if (!plan.hasContext(ctx)) {
            throw new DialplanException(source, p.line(), p.app() + " to unknown context '" + ctx + "'");
        }
        Extension e = plan.named(ctx, ext).or(() -> plan.extension(ctx, ext)).orElseThrow(() ->
            new DialplanException(source, p.line(), p.app() + " to unknown extension '" + ext + "@" + ctx + "'"));
        boolean ok = pr.matches("\\d+") ? e.has(Integer.parseInt(pr)) : e.hasLabel(pr);
        if (!ok) {
            throw new DialplanException(source, p.line(), p.app() + " to unknown priority or label '" + pr
                + "' of " + ext + "@" + ctx);
        }
    }
}
