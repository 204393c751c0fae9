package io.huibo.sim.dialplan;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Asterisk's {@code $[...]} language (ast_expr2), after variables were substituted: {@code |}, {@code &},
 * comparisons {@code = == != < > <= >=}, {@code + - * / %}, unary {@code - !}, {@code ~~} (concatenation),
 * {@code cond ? a :: b}, parentheses and double-quoted strings. Two operands that both read as numbers
 * compare as numbers, anything else as strings; a false or failed comparison is 0, a true one 1.
 * Empty and numeric zero are false for {@code | & !}, as in ast_expr2.y.
 */
public final class Expression {
    private static final Pattern NUMBER = Pattern.compile("\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*");
    private static final String OPERATOR_CHARS = "|&=!<>+-*/%?:()~\"";

    private final List<String> tokens;
    /** Parallel to tokens: true where the token was quoted, so {@code "("} is a string and not a parenthesis. */
    private final List<Boolean> quoted;
    private int pos;

    private Expression(List<String> tokens, List<Boolean> quoted) {
        this.tokens = tokens;
        this.quoted = quoted;
    }

    public static String evaluate(String expr) {
        List<String> t = new ArrayList<>();
        List<Boolean> q = new ArrayList<>();
        tokenize(expr, t, q);
        if (t.isEmpty()) {
            return "";
        }
        Expression e = new Expression(t, q);
        String v = e.ternary();
        if (e.pos < t.size()) {
            throw new DialplanException("syntax error in expression '" + expr + "' near '" + t.get(e.pos) + "'");
        }
        return v;
    }

    private static void tokenize(String s, List<String> out, List<Boolean> quoted) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    b.append(s.charAt(i++));
                }
                if (i >= s.length()) {
                    throw new DialplanException("unclosed quote in expression '" + s + "'");
                }
                i++;
                out.add(b.toString());
                quoted.add(true);
            } else if (OPERATOR_CHARS.indexOf(c) >= 0) {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                String op = switch (two) {
                    case "==", "!=", "<=", ">=", "::", "~~", "=~" -> two;
                    default -> String.valueOf(c);
                };
                if (op.equals("~")) {
                    throw new DialplanException("unknown operator '~' in expression '" + s + "'");
                }
                out.add(op);
                quoted.add(false);
                i += op.length();
            } else {
                int start = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && OPERATOR_CHARS.indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                out.add(s.substring(start, i));
                quoted.add(true); // a word is an operand, never an operator
            }
        }
    }

    private boolean at(String op) {
        return pos < tokens.size() && !quoted.get(pos) && tokens.get(pos).equals(op);
    }

    private String ternary() {
        String cond = or();
        if (at("?")) {
            pos++;
            String a = ternary();
            expect("::");
            String b = ternary();
            return falsy(cond) ? b : a;
        }
        return cond;
    }

    private String or() {
        String left = and();
        while (at("|")) {
            pos++;
            String right = and();
            left = falsy(left) ? right : left;
        }
        return left;
    }

    private String and() {
        String left = comparison();
        while (at("&")) {
            pos++;
            String right = comparison();
            left = falsy(left) || falsy(right) ? "0" : left;
        }
        return left;
    }

    private String comparison() {
        String left = additive();
        while (pos < tokens.size() && !quoted.get(pos)) {
            String op = tokens.get(pos);
            if (!(op.equals("=") || op.equals("==") || op.equals("!=") || op.equals("<") || op.equals(">")
                || op.equals("<=") || op.equals(">="))) {
                break;
            }
            pos++;
            String right = additive();
            int cmp = compare(left, right);
            boolean r = switch (op) {
                case "=", "==" -> cmp == 0;
                case "!=" -> cmp != 0;
                case "<" -> cmp < 0;
                case ">" -> cmp > 0;
                case "<=" -> cmp <= 0;
                default -> cmp >= 0;
            };
            left = r ? "1" : "0";
        }
        return left;
    }

    private String additive() {
        String left = multiplicative();
        while (at("+") || at("-") || at("~~")) {
            String op = tokens.get(pos++);
            String right = multiplicative();
            left = op.equals("~~") ? left + right
                : format(op.equals("+") ? number(left).add(number(right)) : number(left).subtract(number(right)));
        }
        return left;
    }

    private String multiplicative() {
        String left = unary();
        while (at("*") || at("/") || at("%")) {
            String op = tokens.get(pos++);
            String right = unary();
            BigDecimal a = number(left);
            BigDecimal b = number(right);
            if (!op.equals("*") && b.signum() == 0) {
                left = "0"; // Asterisk warns "division by zero" and goes on
            } else {
                left = format(switch (op) {
                    case "*" -> a.multiply(b);
                    case "/" -> a.divide(b, MathContext.DECIMAL64);
                    default -> a.remainder(b);
                });
            }
        }
        return left;
    }

    private String unary() {
        if (at("-")) {
            pos++;
            return format(number(unary()).negate());
        }
        if (at("!")) {
            pos++;
            return falsy(unary()) ? "1" : "0";
        }
        return primary();
    }

    private String primary() {
        if (pos >= tokens.size()) {
            throw new DialplanException("syntax error: expression ends where an operand is expected");
        }
        if (at("(")) {
            pos++;
            String v = ternary();
            expect(")");
            return v;
        }
        if (!quoted.get(pos)) {
            throw new DialplanException("syntax error: unexpected '" + tokens.get(pos) + "'");
        }
        return tokens.get(pos++);
    }

    private void expect(String op) {
        if (!at(op)) {
            throw new DialplanException("syntax error: '" + op + "' expected"
                + (pos < tokens.size() ? " before '" + tokens.get(pos) + "'" : " at the end"));
        }
        pos++;
    }

    static boolean isNumber(String s) {
        return NUMBER.matcher(s).matches();
    }

    private static boolean falsy(String v) {
        return v.isEmpty() || (isNumber(v) && new BigDecimal(v.trim()).signum() == 0);
    }

    private static int compare(String a, String b) {
        if (isNumber(a) && isNumber(b)) {
            return new BigDecimal(a.trim()).compareTo(new BigDecimal(b.trim()));
        }
        return Integer.signum(a.compareTo(b));
    }

    /** A non-numeric operand counts as 0 (Asterisk warns "non-numeric argument"). */
    private static BigDecimal number(String s) {
        return isNumber(s) ? new BigDecimal(s.trim()) : BigDecimal.ZERO;
    }

    private static String format(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.signum() == 0 ? "0" : s.toPlainString();
    }
}
