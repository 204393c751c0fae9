package io.huibo.config;

import io.huibo.policy.QuietHours;
import io.huibo.policy.RetryProfile;
import io.huibo.policy.RetryReason;
import io.huibo.policy.RetryRule;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parses {@code calling.profiles} (a mapping of profile name to profile) into retry profiles. */
final class CallingConfig {
    static final String PROFILES = "calling.profiles";
    private static final Set<String> PROFILE_KEYS = Set.of("retry", "expiry", "quietHours");
    private static final Set<String> RULE_KEYS = Set.of("first", "multiplier", "cap", "jitter", "maxAttempts");
    private static final Set<String> QUIET_KEYS = Set.of("allowed", "holidays");
    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private CallingConfig() {
    }

    static HuiboConfig.Calling parse(String defaultProfile, Object tree) {
        Map<String, RetryProfile> profiles = new LinkedHashMap<>();
        if (tree != null) {
            if (!(tree instanceof Map<?, ?> m)) {
                throw new ConfigException(PROFILES + " must be a mapping of profile names to profiles");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String name = String.valueOf(e.getKey());
                profiles.put(name, profile(name, e.getValue()));
            }
        }
        if (!defaultProfile.equals(io.huibo.dispatch.RetryPolicy.BUILT_IN) && !profiles.containsKey(defaultProfile)) {
            throw new ConfigException("calling.defaultProfile names no profile of " + PROFILES + ": " + defaultProfile);
        }
        return new HuiboConfig.Calling(defaultProfile, profiles);
    }

    private static RetryProfile profile(String name, Object o) {
        String where = PROFILES + "." + name;
        if (!io.huibo.policy.RetryProfile.NAME.matcher(name).matches()) {
            throw new ConfigException(where + ": a profile name is 1-64 of letters, digits, _ . -");
        }
        Map<?, ?> m = mapping(where, o);
        keys(where, m, PROFILE_KEYS);
        Map<RetryReason, RetryRule> rules = new EnumMap<>(RetryReason.class);
        if (m.get("retry") != null) {
            Map<?, ?> retry = mapping(where + ".retry", m.get("retry"));
            for (Map.Entry<?, ?> e : retry.entrySet()) {
                String key = String.valueOf(e.getKey());
                RetryReason reason;
                try {
                    reason = RetryReason.fromKey(key);
                } catch (IllegalArgumentException ex) {
                    reason = null;
                }
                if (reason == null || reason == RetryReason.INVALID_NUMBER) {
                    throw new ConfigException(where + ".retry: unknown reason " + key + " (busy, noAnswer, "
                            + "congestion, unavailable, legBFailed, failed; an invalid number is never retried)");
                }
                rules.put(reason, rule(where + ".retry." + key, e.getValue()));
            }
        }
        Duration expiry = m.get("expiry") == null ? null : ConfigLoader.parseDuration(where + ".expiry",
                String.valueOf(m.get("expiry")));
        if (expiry != null && expiry.isZero()) {
            throw new ConfigException(where + ".expiry must be positive");
        }
        QuietHours quiet = m.get("quietHours") == null ? QuietHours.NONE : quiet(where + ".quietHours",
                m.get("quietHours"));
        return new RetryProfile(name, rules, expiry, quiet);
    }

    private static RetryRule rule(String where, Object o) {
        Map<?, ?> m = mapping(where, o);
        keys(where, m, RULE_KEYS);
        if (m.get("first") == null) {
            throw new ConfigException(where + ".first is required");
        }
        Duration first = ConfigLoader.parseDuration(where + ".first", String.valueOf(m.get("first")));
        Duration cap = m.get("cap") == null ? first : ConfigLoader.parseDuration(where + ".cap",
                String.valueOf(m.get("cap")));
        try {
            return new RetryRule(first, number(where + ".multiplier", m.get("multiplier"), 1.0), cap,
                    number(where + ".jitter", m.get("jitter"), 0.0),
                    (int) number(where + ".maxAttempts", m.get("maxAttempts"), 0));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static QuietHours quiet(String where, Object o) {
        Map<?, ?> m = mapping(where, o);
        keys(where, m, QUIET_KEYS);
        Map<DayOfWeek, List<QuietHours.Range>> allowed = null;
        if (m.get("allowed") != null) {
            allowed = new EnumMap<>(DayOfWeek.class);
            for (Map.Entry<?, ?> e : mapping(where + ".allowed", m.get("allowed")).entrySet()) {
                String days = String.valueOf(e.getKey());
                List<QuietHours.Range> ranges = new ArrayList<>();
                Object v = e.getValue();
                List<?> items = v instanceof List<?> l ? l : List.of(String.valueOf(v).split(","));
                for (Object r : items) {
                    try {
                        ranges.add(QuietHours.Range.parse(String.valueOf(r)));
                    } catch (IllegalArgumentException ex) {
                        throw new ConfigException(where + ".allowed." + days + ": " + ex.getMessage());
                    }
                }
                for (DayOfWeek d : days(where + ".allowed", days)) {
                    allowed.computeIfAbsent(d, k -> new ArrayList<>()).addAll(ranges);
                }
            }
            allowed.replaceAll((d, rs) -> rs.stream().sorted(java.util.Comparator.comparingInt(QuietHours.Range::start))
                    .toList());
        }
        Set<LocalDate> holidays = new LinkedHashSet<>();
        if (m.get("holidays") != null) {
            if (!(m.get("holidays") instanceof List<?> l)) {
                throw new ConfigException(where + ".holidays must be a list of dates (YYYY-MM-DD)");
            }
            for (Object h : l) {
                holidays.add(date(where + ".holidays", h));
            }
        }
        return new QuietHours(allowed, holidays);
    }

    /** "mon-fri", "sat", "sat,sun". */
    private static List<DayOfWeek> days(String where, String spec) {
        List<DayOfWeek> out = new ArrayList<>();
        for (String part : spec.toLowerCase(Locale.ROOT).split("\\s*,\\s*")) {
            String[] ends = part.trim().split("\\s*-\\s*");
            int from = DAYS.indexOf(ends[0]);
            int to = ends.length == 2 ? DAYS.indexOf(ends[1]) : from;
            if (ends.length > 2 || from < 0 || to < 0 || to < from) {
                throw new ConfigException(where + ": days are mon..sun, like mon-fri or sat,sun: " + spec);
            }
            for (int i = from; i <= to; i++) {
                out.add(DayOfWeek.of(i + 1));
            }
        }
        return out;
    }

    private static LocalDate date(String where, Object o) {
        // SnakeYAML reads an unquoted 2026-12-25 as a timestamp at midnight UTC
        if (o instanceof java.util.Date d) {
            return d.toInstant().atZone(ZoneOffset.UTC).toLocalDate();
        }
        try {
            return LocalDate.parse(String.valueOf(o).trim());
        } catch (DateTimeParseException e) {
            throw new ConfigException(where + ": not a date YYYY-MM-DD: " + o);
        }
    }

    private static double number(String where, Object o, double dflt) {
        if (o == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(String.valueOf(o).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(where + " is not a number: " + o);
        }
    }

    private static Map<?, ?> mapping(String where, Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new ConfigException(where + " must be a mapping");
        }
        return m;
    }

    private static void keys(String where, Map<?, ?> m, Set<String> known) {
        for (Object k : m.keySet()) {
            if (!known.contains(String.valueOf(k))) {
                throw new ConfigException(where + ": unknown key " + k + " (known: " + known + ")");
            }
        }
    }
}
