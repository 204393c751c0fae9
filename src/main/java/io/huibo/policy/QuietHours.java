package io.huibo.policy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When a callee may be called, in the callee's local time: allowed ranges per day of the week (a day
 * without ranges is quiet all day) and holidays (quiet all day). Pure.
 *
 * <p>A callee with several possible zones (a country spanning several) may be called only when every
 * one of them allows it: calling a person at 08:00 because the country's east is awake already is what
 * quiet hours are there to prevent.
 */
public record QuietHours(Map<DayOfWeek, List<Range>> allowed, Set<LocalDate> holidays) {
    /** How far ahead an allowed minute is searched; past it the callback is taken as never dialable. */
    static final Duration HORIZON = Duration.ofDays(400);

    /** Minutes of the day, {@code start} included, {@code end} excluded; end 1440 is midnight. */
    public record Range(int start, int end) {
        public Range {
            if (start < 0 || end > 1440 || start >= end) {
                throw new IllegalArgumentException("a range is HH:MM-HH:MM with the start before the end");
            }
        }

        /** "09:00-20:00"; "24:00" as the end for midnight. */
        public static Range parse(String s) {
            String[] parts = s.trim().split("\\s*-\\s*");
            if (parts.length != 2) {
                throw new IllegalArgumentException("not HH:MM-HH:MM: " + s);
            }
            return new Range(minute(parts[0], false), minute(parts[1], true));
        }

        private static int minute(String hhmm, boolean end) {
            if (end && hhmm.equals("24:00")) {
                return 1440;
            }
            try {
                LocalTime t = LocalTime.parse(hhmm.length() == 4 ? "0" + hhmm : hhmm);
                return t.getHour() * 60 + t.getMinute();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("not a time HH:MM: " + hhmm);
            }
        }
    }

    /** No quiet hours: every minute allowed. */
    public static final QuietHours NONE = new QuietHours(null, Set.of());

    public QuietHours {
        if (allowed != null) {
            Map<DayOfWeek, List<Range>> copy = new EnumMap<>(DayOfWeek.class);
            allowed.forEach((d, rs) -> copy.put(d, List.copyOf(rs)));
            allowed = Map.copyOf(copy);
        }
        holidays = Set.copyOf(holidays);
    }

    public boolean none() {
        return allowed == null && holidays.isEmpty();
    }

    /** Whether {@code at} is an allowed minute in {@code zone}. */
    public boolean allows(Instant at, ZoneId zone) {
        return nextIn(at, zone).map(at::equals).orElse(false);
    }

    /**
     * The first instant from {@code from} on that every zone allows; {@code from} itself when it is
     * allowed already; empty when none is within the horizon (all days quiet). No zones: {@code from}.
     */
    public Optional<Instant> next(Instant from, List<ZoneId> zones) {
        if (none() || zones.isEmpty()) {
            return Optional.of(from);
        }
        Instant t = from;
        Instant limit = from.plus(HORIZON);
        // each round moves t to the latest of the zones' next allowed instants; it stops when all agree
        for (int round = 0; round < 10_000 && !t.isAfter(limit); round++) {
            Instant latest = t;
            for (ZoneId z : zones) {
                Optional<Instant> n = nextIn(t, z);
                if (n.isEmpty()) {
                    return Optional.empty();
                }
                if (n.get().isAfter(latest)) {
                    latest = n.get();
                }
            }
            if (latest.equals(t)) {
                return Optional.of(t);
            }
            t = latest;
        }
        return Optional.empty();
    }

    /** The first allowed instant in one zone from {@code from} on. */
    Optional<Instant> nextIn(Instant from, ZoneId zone) {
        if (none()) {
            return Optional.of(from);
        }
        ZonedDateTime local = from.atZone(zone);
        LocalDate day = local.toLocalDate();
        int minuteNow = local.getHour() * 60 + local.getMinute();
        for (int i = 0; i <= HORIZON.toDays(); i++) {
            LocalDate d = day.plusDays(i);
            if (holidays.contains(d)) {
                continue;
            }
            List<Range> ranges = allowed == null ? List.of(new Range(0, 1440)) : allowed.getOrDefault(d.getDayOfWeek(), List.of());
            for (Range r : ranges) {
                if (i == 0 && minuteNow >= r.end()) {
                    continue;
                }
                if (i == 0 && minuteNow >= r.start()) {
                    return Optional.of(from);
                }
                Instant start = at(d, r.start(), zone);
                // a start that a DST gap moved back before from (cannot happen forward) is from itself
                if (!start.isAfter(from)) {
                    // the local minute exists twice (DST overlap) or was skipped: still in the range
                    if (at(d, r.end(), zone).isAfter(from)) {
                        return Optional.of(from);
                    }
                    continue;
                }
                return Optional.of(start);
            }
        }
        return Optional.empty();
    }

    /**
     * A local minute of a day as an instant. A minute a DST gap skipped is the end of the gap: the
     * window's first minute that exists (ZonedDateTime would move it a whole gap later).
     */
    private static Instant at(LocalDate d, int minuteOfDay, ZoneId zone) {
        LocalDateTime ldt = minuteOfDay == 1440 ? d.plusDays(1).atStartOfDay()
                : d.atTime(minuteOfDay / 60, minuteOfDay % 60);
        var rules = zone.getRules();
        if (rules.getValidOffsets(ldt).isEmpty()) {
            return rules.getTransition(ldt).getInstant();
        }
        return ZonedDateTime.of(ldt, zone).toInstant();
    }
}
