package io.huibo.logging;

/**
 * Phone numbers in log lines: only their last digits, unless masking is turned off
 * ({@code HUIBO_LOG_MASK=false} or {@code -Dhuibo.log.mask=false}, for a developer's machine).
 * A log is read by more people than the callback records, and kept longer.
 */
public final class LogMask {
    /** Digits left visible at the end of a masked number. */
    public static final int VISIBLE = 4;
    private static final LogMask DEFAULT = new LogMask(enabledIn(System.getProperty("huibo.log.mask"),
            System.getenv("HUIBO_LOG_MASK")));

    private final boolean enabled;

    public LogMask(boolean enabled) {
        this.enabled = enabled;
    }

    /** The process' masking, as configured at start. */
    public static LogMask get() {
        return DEFAULT;
    }

    /** The default mask's {@link #mask}. */
    public static String number(Object number) {
        return DEFAULT.mask(number == null ? null : number.toString());
    }

    /**
     * {@code +8613800138000} becomes {@code +*********8000}: the leading {@code +} and the last
     * {@link #VISIBLE} characters stay, every other character is a {@code *}; null stays null.
     */
    public String mask(String number) {
        if (number == null || !enabled) {
            return number;
        }
        int n = number.length();
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = number.charAt(i);
            b.append(i >= n - VISIBLE || (i == 0 && c == '+') ? c : '*');
        }
        return b.toString();
    }

    /** Masking is on unless the property (first) or the variable says {@code false}, {@code off} or {@code no}. */
    static boolean enabledIn(String property, String env) {
        String v = property != null && !property.isBlank() ? property : env;
        if (v == null || v.isBlank()) {
            return true;
        }
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        return !(s.equals("false") || s.equals("off") || s.equals("no") || s.equals("0"));
    }
}
