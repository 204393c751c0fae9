package io.huibo.sim.dialplan;

/**
 * Asterisk's extension patterns: a name starting with {@code _} is a pattern where X is 0-9, Z 1-9, N 2-9,
 * {@code [..]} a set with ranges, {@code .} one or more further characters and {@code !} zero or more;
 * anything else matches itself. Names without {@code _} match literally (case-sensitively, like Asterisk).
 */
public final class ExtenPattern {
    private ExtenPattern() {}

    public static boolean matches(String pattern, String exten) {
        if (!pattern.startsWith("_")) {
            return pattern.equals(exten);
        }
        return match(pattern, 1, exten, 0);
    }

    /** Whether the pattern is well formed (closed sets); literal names always are. */
    public static boolean valid(String pattern) {
        if (!pattern.startsWith("_")) {
            return !pattern.isEmpty();
        }
        int open = -1;
        for (int i = 1; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '[') {
                if (open >= 0) {
                    return false;
                }
                open = i;
            } else if (c == ']') {
                if (open < 0 || i == open + 1) {
                    return false;
                }
                open = -1;
            }
        }
        return open < 0 && pattern.length() > 1;
    }

    private static boolean match(String p, int pi, String s, int si) {
        if (pi == p.length()) {
            return si == s.length();
        }
        char c = p.charAt(pi);
        if (c == '.') {
            return si < s.length();
        }
        if (c == '!') {
            return true;
        }
        if (si >= s.length()) {
            return false;
        }
        char x = s.charAt(si);
        if (c == '[') {
            int end = p.indexOf(']', pi);
            return inSet(p.substring(pi + 1, end), x) && match(p, end + 1, s, si + 1);
        }
        boolean ok = switch (Character.toUpperCase(c)) {
            case 'X' -> x >= '0' && x <= '9';
            case 'Z' -> x >= '1' && x <= '9';
            case 'N' -> x >= '2' && x <= '9';
            default -> c == x;
        };
        return ok && match(p, pi + 1, s, si + 1);
    }

    private static boolean inSet(String set, char x) {
        for (int i = 0; i < set.length(); i++) {
            char lo = set.charAt(i);
            if (i + 2 < set.length() && set.charAt(i + 1) == '-') {
                char hi = set.charAt(i + 2);
                if (x >= lo && x <= hi) {
                    return true;
                }
                i += 2;
            } else if (lo == x) {
                return true;
            }
        }
        return false;
    }
}
