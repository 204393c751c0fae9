package io.huibo.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One manager.conf user's {@code eventfilter} lines (legacy syntax), {@code read} classes and {@code write}
 * classes (which actions it may run, see {@link ActionAuthority}), applied the way Asterisk's manager.c does, so tests run against what a real node configured like ours would send.
 * Filters see only broadcast events, as the whole event text (Event line first, CRLF line ends): none
 * configured passes everything; only includes: one must match; only excludes ({@code !regex}): none may
 * match; both: an include must match and no exclude. Responses to actions never go through here.
 */
public final class EventFilter {
    public static final EventFilter NONE = new EventFilter(List.of(), List.of(), null, null);

    private final List<Pattern> include;
    private final List<Pattern> exclude;
    /** The user's {@code read} classes; null: every class. */
    private final Set<String> readClasses;
    /** The user's {@code write} classes; null: every class. */
    private final Set<String> writeClasses;

    private EventFilter(List<Pattern> include, List<Pattern> exclude, Set<String> readClasses, Set<String> writeClasses) {
        this.include = include;
        this.exclude = exclude;
        this.readClasses = readClasses;
        this.writeClasses = writeClasses;
    }

    /**
     * The {@code [user]} section of a manager.conf file.
     *
     * @throws IllegalArgumentException when the section is missing or a filter does not compile: unlike
     *     Asterisk, which logs a warning and drops the filter (letting more events through), the sim refuses
     */
    public static EventFilter load(Path managerConf, String user) throws IOException {
        List<String[]> settings = section(Files.readAllLines(managerConf, StandardCharsets.UTF_8), user);
        if (settings == null) {
            throw new IllegalArgumentException(managerConf + " has no [" + user + "] section");
        }
        List<String> filters = new ArrayList<>();
        String read = null;
        String write = null;
        for (String[] kv : settings) {
            if (kv[0].startsWith("eventfilter")) {
                if (!kv[0].equals("eventfilter")) {
                    throw new IllegalArgumentException(managerConf + " [" + user + "]: " + kv[0]
                        + ": only the legacy 'eventfilter = [!]regex' syntax is supported by the simulator");
                }
                filters.add(kv[1]);
            } else if (kv[0].equalsIgnoreCase("read")) {
                read = kv[1];
            } else if (kv[0].equalsIgnoreCase("write")) {
                write = kv[1];
            }
        }
        try {
            return of(filters, read, write);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(managerConf + " [" + user + "]: " + e.getMessage(), e);
        }
    }

    /** {@code eventfilter} values as written after the '=', and the {@code read} value (null: all classes). */
    static EventFilter of(List<String> eventfilters, String read) {
        return of(eventfilters, read, null);
    }

    /** As {@link #of(List, String)}, with the {@code write} value (null: all classes). */
    static EventFilter of(List<String> eventfilters, String read, String write) {
        List<Pattern> include = new ArrayList<>();
        List<Pattern> exclude = new ArrayList<>();
        for (String f : eventfilters) {
            boolean not = f.startsWith("!");
            String regex = not ? f.substring(1) : f;
            if (regex.isEmpty()) {
                throw new IllegalArgumentException("eventfilter '" + f + "' has no pattern");
            }
            try {
                (not ? exclude : include).add(PosixEre.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("eventfilter '" + f + "' is not a valid regex: " + e.getDescription(), e);
            }
        }
        return new EventFilter(List.copyOf(include), List.copyOf(exclude), classes(read), classes(write));
    }

    /** Whether a broadcast event with this text goes to the user. */
    boolean passes(String eventText) {
        if (!include.isEmpty() && !anyFinds(include, eventText)) {
            return false;
        }
        return !anyFinds(exclude, eventText);
    }

    /** Whether the user may run this action (manager.c checks the write classes). */
    boolean mayRun(String action) {
        return ActionAuthority.permits(writeClasses, action);
    }

    /** A session's event classes (null: all) cut to the user's read classes, like Asterisk's readperm & mask. */
    Set<String> limit(Set<String> mask) {
        if (readClasses == null) {
            return mask;
        }
        if (mask == null) {
            return readClasses;
        }
        Set<String> both = new HashSet<>(mask);
        both.retainAll(readClasses);
        return both;
    }

    private static boolean anyFinds(List<Pattern> patterns, String text) {
        for (Pattern p : patterns) {
            if (p.matcher(text).find()) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> classes(String read) {
        if (read == null || read.isBlank()) {
            return null;
        }
        Set<String> out = new HashSet<>();
        for (String c : read.split(",")) {
            String name = c.trim().toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                return null;
            }
            out.add(name);
        }
        return Set.copyOf(out);
    }

    /**
     * The {@code name = value} lines of every section named {@code name} (case-insensitive, as Asterisk
     * finds users), or null without one. Asterisk's config syntax as far as manager.conf uses it:
     * {@code ;} comments ({@code \;} is a literal ';'), {@code ;-- --;} block comments, {@code =>}.
     */
    static List<String[]> section(List<String> lines, String name) {
        List<String[]> out = null;
        boolean inside = false;
        boolean[] block = {false};
        for (String raw : lines) {
            String line = stripComments(raw, block).trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                throw new IllegalArgumentException("'" + line + "': #include and #exec are not supported by the simulator");
            }
            if (line.startsWith("[")) {
                int close = line.indexOf(']');
                inside = close > 0 && line.substring(1, close).trim().equalsIgnoreCase(name);
                if (inside && out == null) {
                    out = new ArrayList<>();
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (inside && eq > 0) {
                String value = line.substring(eq + 1);
                if (value.startsWith(">")) {
                    value = value.substring(1);
                }
                out.add(new String[] {line.substring(0, eq).trim(), value.trim()});
            }
        }
        return out;
    }

    private static String stripComments(String line, boolean[] block) {
        StringBuilder sb = new StringBuilder(line.length());
        int i = 0;
        while (i < line.length()) {
            if (block[0]) {
                if (line.startsWith("--;", i)) {
                    block[0] = false;
                    i += 3;
                } else {
                    i++;
                }
                continue;
            }
            char c = line.charAt(i);
            if (c != ';') {
                sb.append(c);
                i++;
            } else if (i > 0 && line.charAt(i - 1) == '\\' && sb.length() > 0) {
                sb.setCharAt(sb.length() - 1, ';');
                i++;
            } else if (line.startsWith(";--", i)) {
                block[0] = true;
                i += 3;
            } else {
                break;
            }
        }
        return sb.toString();
    }
}
