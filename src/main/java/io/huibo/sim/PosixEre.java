package io.huibo.sim;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A POSIX extended regular expression as Asterisk compiles an {@code eventfilter} (glibc regcomp with
 * REG_EXTENDED, without REG_NEWLINE), turned into a {@link Pattern} that finds the same matches.
 * Where the two dialects disagree: bracket expressions ({@code [[:space:]]}, a backslash is literal,
 * {@code ]} first is literal), {@code .} also matches a newline, {@code $} is only the end of the text,
 * {@code \x} outside brackets is the literal x unless it is a GNU operator ({@code \w \s \b \< \>}, a
 * back reference). Stacked repetition operators such as {@code a*+} are not translated.
 */
final class PosixEre {
    private PosixEre() {
    }

    /** @throws PatternSyntaxException when glibc would refuse the expression (or Java cannot express it) */
    static Pattern compile(String ere) {
        return Pattern.compile(toJava(ere), Pattern.DOTALL);
    }

    static String toJava(String ere) {
        StringBuilder out = new StringBuilder(ere.length() + 16);
        int i = 0;
        while (i < ere.length()) {
            char c = ere.charAt(i);
            switch (c) {
                case '[' -> i = bracket(ere, i + 1, out);
                case '\\' -> i = escape(ere, i + 1, out);
                case '$' -> {
                    out.append("\\z");
                    i++;
                }
                case '(' -> {
                    // "(?" is a repetition with nothing to repeat in POSIX, but a group construct in Java
                    if (i + 1 < ere.length() && ere.charAt(i + 1) == '?') {
                        throw new PatternSyntaxException("'?' has nothing to repeat", ere, i + 1);
                    }
                    out.append(c);
                    i++;
                }
                default -> {
                    out.append(c);
                    i++;
                }
            }
        }
        return out.toString();
    }

    /** {@code \x} outside a bracket expression; returns the index after it. */
    private static int escape(String ere, int i, StringBuilder out) {
        if (i >= ere.length()) {
            throw new PatternSyntaxException("trailing backslash", ere, i - 1);
        }
        char c = ere.charAt(i);
        switch (c) {
            case 'w', 'W', 's', 'S', 'b', 'B', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> out.append('\\').append(c);
            case '<' -> out.append("\\b(?=\\w)");
            case '>' -> out.append("\\b(?<=\\w)");
            case '`' -> out.append("\\A");
            case '\'' -> out.append("\\z");
            default -> literal(c, out);
        }
        return i + 1;
    }

    /** A bracket expression whose '[' is just before {@code i}; returns the index after its ']'. */
    private static int bracket(String ere, int i, StringBuilder out) {
        int open = i - 1;
        out.append('[');
        if (i < ere.length() && ere.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        boolean first = true;
        while (true) {
            if (i >= ere.length()) {
                throw new PatternSyntaxException("unmatched [", ere, open);
            }
            char c = ere.charAt(i);
            if (c == ']' && !first) {
                out.append(']');
                return i + 1;
            }
            first = false;
            if (c == '[' && i + 1 < ere.length() && ere.charAt(i + 1) == ':') {
                int end = ere.indexOf(":]", i + 2);
                if (end < 0) {
                    throw new PatternSyntaxException("unterminated character class", ere, i);
                }
                out.append(characterClass(ere, ere.substring(i + 2, end), i));
                i = end + 2;
                continue;
            }
            int[] lo = element(ere, i);
            i = lo[1];
            if (i + 1 < ere.length() && ere.charAt(i) == '-' && ere.charAt(i + 1) != ']') {
                int[] hi = element(ere, i + 1);
                if (hi[0] < lo[0]) {
                    throw new PatternSyntaxException("invalid range end", ere, i);
                }
                literal((char) lo[0], out);
                out.append('-');
                literal((char) hi[0], out);
                i = hi[1];
            } else {
                literal((char) lo[0], out);
            }
        }
    }

    /** One character of a bracket expression, plain or {@code [.x.]} / {@code [=x=]}: {char, next index}. */
    private static int[] element(String ere, int i) {
        char c = ere.charAt(i);
        if (c == '[' && i + 1 < ere.length() && (ere.charAt(i + 1) == '.' || ere.charAt(i + 1) == '=')) {
            String close = ere.charAt(i + 1) + "]";
            int end = ere.indexOf(close, i + 2);
            if (end != i + 3) {
                throw new PatternSyntaxException("only single-character collating elements are supported", ere, i);
            }
            return new int[] {ere.charAt(i + 2), end + 2};
        }
        return new int[] {c, i + 1};
    }

    private static String characterClass(String ere, String name, int at) {
        return switch (name) {
            case "alpha" -> "\\p{Alpha}";
            case "digit" -> "\\p{Digit}";
            case "alnum" -> "\\p{Alnum}";
            case "upper" -> "\\p{Upper}";
            case "lower" -> "\\p{Lower}";
            case "punct" -> "\\p{Punct}";
            case "space" -> "\\p{Space}";
            case "blank" -> "\\p{Blank}";
            case "cntrl" -> "\\p{Cntrl}";
            case "xdigit" -> "\\p{XDigit}";
            case "print" -> "\\p{Print}";
            case "graph" -> "\\p{Graph}";
            default -> throw new PatternSyntaxException("unknown character class [:" + name + ":]", ere, at);
        };
    }

    /** {@code c} as a literal, inside or outside a Java character class. */
    private static void literal(char c, StringBuilder out) {
        if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
        } else if (c < 0x80 && !Character.isLetterOrDigit(c) && c != ' ') {
            out.append('\\').append(c); // every Java metacharacter is ASCII punctuation
        } else {
            out.append(c);
        }
    }
}
