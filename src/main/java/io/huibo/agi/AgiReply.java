package io.huibo.agi;

/**
 * One reply of Asterisk to one AGI command.
 * <ul>
 * <li>{@code 200 result=1 (ok)}: code 200, result 1, data {@code ok}</li>
 * <li>{@code 200 result=0 endpos=3520}: result 0, endpos 3520</li>
 * <li>{@code 510 Invalid or unknown command}, {@code 511 Command Not Permitted on a dead channel ...}:
 *     code and text</li>
 * <li>{@code 520-Invalid command syntax ...} .. {@code 520 End of proper usage.}: code 520, text holds
 *     every line of the block joined with LF</li>
 * </ul>
 *
 * @param code   200, 510, 511, 520 ...
 * @param result the {@code result=} value; 0 when absent (error replies)
 * @param data   the text in parentheses after the result, or null when there was none
 * @param endpos the {@code endpos=} value, or -1
 * @param text   everything after the code on the first line (and the usage lines of a 520 block)
 */
public record AgiReply(int code, int result, String data, long endpos, String text) {

    public boolean isSuccess() {
        return code == 200;
    }

    /** The channel is gone or in a hangup handler: further channel commands cannot work. */
    public boolean isDeadChannel() {
        return code == 511;
    }

    /**
     * Parses the first line of a reply (without the line end). No regex: this runs for every
     * command of every call.
     *
     * @throws IllegalArgumentException when the line is not an AGI reply
     */
    public static AgiReply parse(String line) {
        int code = statusCode(line);
        if (code < 0) {
            throw new IllegalArgumentException("not an AGI reply");
        }
        String text = line.length() > 4 ? line.substring(4) : "";
        if (code != 200) {
            return new AgiReply(code, 0, null, -1, text);
        }
        int result = 0;
        String data = null;
        long endpos = -1;
        int i = 4;
        int n = line.length();
        if (line.startsWith("result=", i)) {
            i += 7;
            int start = i;
            if (i < n && line.charAt(i) == '-') {
                i++;
            }
            while (i < n && isDigit(line.charAt(i))) {
                i++;
            }
            if (i == start || (i == start + 1 && line.charAt(start) == '-')) {
                throw new IllegalArgumentException("AGI reply without a result value");
            }
            try {
                result = Integer.parseInt(line, start, i, 10);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("AGI result out of range");
            }
            if (i + 1 < n && line.charAt(i) == ' ' && line.charAt(i + 1) == '(') {
                // data may itself contain ')' (channel names, expressions): take the last one
                int close = line.lastIndexOf(')');
                if (close > i + 1) {
                    data = line.substring(i + 2, close);
                    i = close + 1;
                }
            }
            int ep = line.indexOf("endpos=", i);
            if (ep >= 0) {
                int s = ep + 7;
                int e = s;
                while (e < n && isDigit(line.charAt(e))) {
                    e++;
                }
                if (e > s && e - s < 19) {
                    endpos = Long.parseLong(line, s, e, 10);
                }
            }
        }
        return new AgiReply(code, result, data, endpos, text);
    }

    /** The 3-digit code when the line starts like a reply ({@code NNN }, {@code NNN-} or just {@code NNN}); -1 otherwise. */
    static int statusCode(String line) {
        if (line.length() < 3) {
            return -1;
        }
        char a = line.charAt(0);
        char b = line.charAt(1);
        char c = line.charAt(2);
        if (!isDigit(a) || !isDigit(b) || !isDigit(c)) {
            return -1;
        }
        if (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-') {
            return -1;
        }
        return (a - '0') * 100 + (b - '0') * 10 + (c - '0');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
