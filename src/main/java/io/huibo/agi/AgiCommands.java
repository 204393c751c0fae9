package io.huibo.agi;

/** Building AGI command arguments safely, matching res_agi's parse_args (quotes, backslash escapes). */
public final class AgiCommands {

    /** res_agi reads commands into an 8 KiB buffer (AGI_BUF_LEN); keep well inside it. */
    public static final int MAX_COMMAND_LENGTH = 8000;

    private AgiCommands() {
    }

    /**
     * {@code "value"} with {@code "} and {@code \} escaped. CR, LF and NUL are refused: they would end
     * the command and start another one (command injection), and no escaping exists for them.
     */
    public static String quote(String value) {
        if (value == null) {
            throw new IllegalArgumentException("AGI argument is null");
        }
        StringBuilder sb = new StringBuilder(value.length() + 8);
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r', '\n', '\0' -> throw new IllegalArgumentException("AGI argument contains a line break or NUL");
                case '"', '\\' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * A variable name as an unquoted argument: letters, digits, {@code _ . -}, and one trailing
     * {@code (...)} argument list for functions like {@code CALLERID(num)}; no whitespace, quotes,
     * backslashes or {@code $} (no expression evaluation through a name).
     */
    public static String variableName(String name) {
        if (name == null || name.isEmpty() || name.length() > 80) {
            throw new IllegalArgumentException("bad AGI variable name");
        }
        int depth = 0;
        boolean closed = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (closed) {
                throw new IllegalArgumentException("bad AGI variable name: " + printable(name));
            }
            if (c == '(') {
                if (depth > 0 || i == 0) {
                    throw new IllegalArgumentException("bad AGI variable name: " + printable(name));
                }
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    throw new IllegalArgumentException("bad AGI variable name: " + printable(name));
                }
                depth--;
                closed = true;
            } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '_' || c == '.' || c == '-' || (depth > 0 && c == ','))) {
                throw new IllegalArgumentException("bad AGI variable name: " + printable(name));
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("bad AGI variable name: " + printable(name));
        }
        return name;
    }

    /** For log lines: control characters replaced, length capped. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (s.length() > 64) {
            sb.append("...");
        }
        return sb.toString();
    }
}
