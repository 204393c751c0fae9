package io.huibo.sim.dialplan;

/**
 * pbx_substitute_variables: {@code ${VAR}}, {@code ${VAR:offset:length}}, nested {@code ${A_${B}}},
 * functions {@code ${FUNC(args)}} and expressions {@code $[...]}, innermost first, as Asterisk expands
 * application data before the application sees it.
 */
public final class Substitution {
    /** Where names are looked up; a channel in the simulator, placeholders in the load-time check. */
    public interface Source {
        /** The variable's value, null when it is not set. */
        String variable(String name);

        /** Reads {@code name(args)}; an unknown function is a {@link DialplanException}. */
        String function(String name, String args);

        /** A {@code $[...]} that does not parse: Asterisk warns and yields "". */
        default String badExpression(String expr, DialplanException e) {
            return "";
        }
    }

    private Substitution() {}

    public static String expand(String text, Source src) {
        if (text == null || text.indexOf('$') < 0) {
            return text == null ? "" : text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && (text.charAt(i + 1) == '{' || text.charAt(i + 1) == '[')) {
                boolean brace = text.charAt(i + 1) == '{';
                int end = closing(text, i + 2, brace ? '{' : '[', brace ? '}' : ']');
                if (end < 0) {
                    throw new DialplanException("unclosed " + (brace ? "${" : "$[") + " in '" + text + "'");
                }
                String inner = expand(text.substring(i + 2, end), src);
                if (brace) {
                    out.append(reference(inner, src));
                } else {
                    try {
                        out.append(Expression.evaluate(inner));
                    } catch (DialplanException e) {
                        out.append(src.badExpression(inner, e));
                    }
                }
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Index of the character closing the one opened just before {@code from}, counting nested pairs. */
    private static int closing(String s, int from, char open, char close) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == open) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String reference(String ref, Source src) {
        int open = ref.indexOf('(');
        if (open > 0 && ref.endsWith(")")) {
            return nullToEmpty(src.function(ref.substring(0, open), ref.substring(open + 1, ref.length() - 1)));
        }
        int colon = ref.indexOf(':');
        if (colon < 0) {
            return nullToEmpty(src.variable(ref));
        }
        String value = nullToEmpty(src.variable(ref.substring(0, colon)));
        String[] parts = ref.substring(colon + 1).split(":", -1);
        return substring(value, parts[0], parts.length > 1 ? parts[1] : "");
    }

    /** ${VAR:offset:length}: negative offset counts from the end, negative length leaves that many off the end. */
    private static String substring(String value, String offset, String length) {
        int off = parseInt(offset);
        int start = off < 0 ? Math.max(0, value.length() + off) : Math.min(off, value.length());
        int end = value.length();
        if (!length.isBlank()) {
            int len = parseInt(length);
            end = len < 0 ? Math.max(start, value.length() + len) : Math.min(value.length(), start + len);
        }
        return value.substring(start, end);
    }

    private static int parseInt(String s) {
        try {
            return s.isBlank() ? 0 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
