package io.huibo.routing;

import io.huibo.domain.PhoneNumber;
import java.util.Objects;

/**
 * A dial string template from configuration, {@code TECH/resource} with exactly one {@code {number}}
 * in the resource: {@code PJSIP/{number}@trunk}, {@code SIP/trunk/{number}},
 * {@code Local/{number}@outbound/n}, {@code PJSIP/trunk/sip:{number}@10.0.0.1:5060}.
 *
 * <p>Strict on purpose. The expanded string goes to {@code Dial(${HUIBO_DIAL},...)}, where
 * {@code &} dials several channels at once, {@code ,} (and {@code |} in old versions) starts the Dial
 * options, {@code ;} starts a comment in .conf files and names a Local half, and {@code $ [ ] { }}
 * are expression syntax. One channel is one {@code TECH/resource}, so the template allows:
 * <ul>
 * <li>technology: a letter, then letters, digits, {@code _ -} (PJSIP, SIP, IAX2, DAHDI, Local);</li>
 * <li>resource: letters, digits and {@code @ . _ - + : /} only, plus the one placeholder.</li>
 * </ul>
 * Anything else (whitespace, quotes, backslash, control characters, non-ASCII) is refused at startup.
 */
public final class DialTemplate {

    public static final String PLACEHOLDER = "{number}";
    static final int MAX_LENGTH = 200;

    private final String template;
    private final String prefix;
    private final String suffix;

    private DialTemplate(String template, String prefix, String suffix) {
        this.template = template;
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /** @throws IllegalArgumentException with a one-line reason naming the template */
    public static DialTemplate parse(String template) {
        if (template == null || template.isEmpty()) {
            throw new IllegalArgumentException("dial template is empty");
        }
        if (template.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("dial template longer than " + MAX_LENGTH + " characters");
        }
        int at = template.indexOf(PLACEHOLDER);
        if (at < 0) {
            throw new IllegalArgumentException("dial template has no " + PLACEHOLDER + ": " + shown(template));
        }
        if (template.indexOf(PLACEHOLDER, at + 1) >= 0) {
            throw new IllegalArgumentException("dial template has more than one " + PLACEHOLDER + ": " + shown(template));
        }
        String prefix = template.substring(0, at);
        String suffix = template.substring(at + PLACEHOLDER.length());
        int slash = prefix.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("dial template must be TECH/resource with " + PLACEHOLDER
                    + " in the resource: " + shown(template));
        }
        String tech = prefix.substring(0, slash);
        if (tech.length() > 32 || !isLetter(tech.charAt(0))) {
            throw new IllegalArgumentException("dial template: bad technology '" + shown(tech) + "'");
        }
        for (int i = 0; i < tech.length(); i++) {
            char c = tech.charAt(i);
            if (!(isLetter(c) || isDigit(c) || c == '_' || c == '-')) {
                throw new IllegalArgumentException("dial template: bad technology '" + shown(tech) + "'");
            }
        }
        checkResource(template, prefix.substring(slash + 1));
        checkResource(template, suffix);
        return new DialTemplate(template, prefix, suffix);
    }

    private static void checkResource(String template, String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!isResourceChar(c)) {
                throw new IllegalArgumentException("dial template: character " + describe(c)
                        + " is not allowed (only letters, digits, @ . _ - + : /): " + shown(template));
            }
        }
    }

    static boolean isResourceChar(char c) {
        return isLetter(c) || isDigit(c) || c == '@' || c == '.' || c == '_' || c == '-' || c == '+'
                || c == ':' || c == '/';
    }

    /**
     * The dial string for one number. Takes only a {@link PhoneNumber} (digits with an optional
     * leading +), never a String, so the result contains nothing the template did not allow.
     */
    public DialString expand(PhoneNumber number) {
        Objects.requireNonNull(number, "number");
        String n = number.value();
        // defence in depth: PhoneNumber guarantees this already
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!(isDigit(c) || (c == '+' && i == 0))) {
                throw new IllegalArgumentException("not a dialable number");
            }
        }
        return new DialString(prefix + n + suffix);
    }

    public String template() {
        return template;
    }

    @Override
    public String toString() {
        return template;
    }

    private static boolean isLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f || c == ' ' ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    /** Templates come from config: show them without control characters. */
    private static String shown(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
