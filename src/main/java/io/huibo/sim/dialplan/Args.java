package io.huibo.sim.dialplan;

import java.util.ArrayList;
import java.util.List;

/**
 * ast_app_separate_args: splits application data at a delimiter outside parentheses, {@code $[...]} brackets
 * and double quotes, drops the quotes and resolves backslash escapes. Empty fields count, as in Asterisk,
 * so {@code a,,} is three arguments.
 */
public final class Args {
    private Args() {}

    public static List<String> split(String data, char delim) {
        List<String> out = new ArrayList<>();
        if (data == null || data.isEmpty()) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        int paren = 0;
        int bracket = 0;
        boolean quoted = false;
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (c == '\\' && i + 1 < data.length()) {
                cur.append(data.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
            } else if (quoted) {
                cur.append(c);
            } else if (c == delim && paren == 0 && bracket == 0) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                if (c == '(') {
                    paren++;
                } else if (c == ')' && paren > 0) {
                    paren--;
                } else if (c == '[') {
                    bracket++;
                } else if (c == ']' && bracket > 0) {
                    bracket--;
                }
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    public static List<String> split(String data) {
        return split(data, ',');
    }

    /** The n-th argument (0-based), "" when there are fewer. */
    public static String at(List<String> args, int n) {
        return n < args.size() ? args.get(n) : "";
    }

    /** {@code Name(data)} -> [Name, data]; {@code Name} alone -> [Name, ""]. */
    public static String[] call(String text) {
        String t = text.trim();
        int open = t.indexOf('(');
        if (open < 0) {
            return new String[] {t, ""};
        }
        int close = t.lastIndexOf(')');
        String data = close > open ? t.substring(open + 1, close) : t.substring(open + 1);
        return new String[] {t.substring(0, open).trim(), data};
    }
}
