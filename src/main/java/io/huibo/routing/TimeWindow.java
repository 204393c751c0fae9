package io.huibo.routing;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * When a route may be used, in a time zone of its own: on {@code days}, from {@code start} to
 * {@code end} local time. A window whose end is not after its start crosses midnight
 * ({@code 22:00-06:00}); its days are the days it <em>starts</em> on, so {@code Fri 22:00-06:00}
 * includes Saturday 03:00 and a {@code Mon-Fri} night window does not include Monday 03:00.
 * Without start and end the window is the whole of each listed day.
 */
public record TimeWindow(ZoneId zone, Set<DayOfWeek> days, LocalTime start, LocalTime end) {

    private static final List<String> NAMES = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");

    public TimeWindow {
        Objects.requireNonNull(zone, "zone");
        if (days == null || days.isEmpty()) {
            throw new IllegalArgumentException("a window needs at least one day");
        }
        days = Set.copyOf(EnumSet.copyOf(days));
        if ((start == null) != (end == null)) {
            throw new IllegalArgumentException("start and end go together");
        }
        if (start != null && start.equals(end)) {
            throw new IllegalArgumentException("start equals end; leave both empty for the whole day");
        }
    }

    public boolean contains(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        DayOfWeek day = local.getDayOfWeek();
        if (start == null) {
            return days.contains(day);
        }
        LocalTime t = local.toLocalTime();
        if (start.isBefore(end)) {
            return days.contains(day) && !t.isBefore(start) && t.isBefore(end);
        }
        // across midnight: the evening part belongs to today, the morning part to yesterday's window
        if (!t.isBefore(start)) {
            return days.contains(day);
        }
        return t.isBefore(end) && days.contains(day.minus(1));
    }

    /**
     * From the four CSV/database fields; null when all are empty (no window). Each problem names
     * its field: the message starts with {@code tz:}, {@code days:}, {@code start:} or {@code end:}.
     */
    public static TimeWindow parse(String tz, String days, String start, String end) {
        boolean none = blank(tz) && blank(days) && blank(start) && blank(end);
        if (none) {
            return null;
        }
        ZoneId zone;
        try {
            zone = blank(tz) ? ZoneId.of("UTC") : ZoneId.of(tz.trim());
        } catch (DateTimeException e) {
            throw new FieldException("tz", "unknown time zone '" + tz.trim() + "' (use a name like Asia/Shanghai)");
        }
        Set<DayOfWeek> d = blank(days) ? EnumSet.allOf(DayOfWeek.class) : parseDays(days);
        LocalTime s = time("start", start);
        LocalTime e = time("end", end);
        if ((s == null) != (e == null)) {
            throw new FieldException(s == null ? "start" : "end", "start and end go together (both or neither)");
        }
        if (s != null && s.equals(e)) {
            throw new FieldException("end", "end equals start; leave both empty for the whole day");
        }
        return new TimeWindow(zone, d, s, e);
    }

    private static LocalTime time(String field, String v) {
        if (blank(v)) {
            return null;
        }
        String s = v.trim();
        if (s.equals("24:00") && field.equals("end")) {
            return LocalTime.MIDNIGHT;
        }
        if (!s.matches("[0-9]{2}:[0-9]{2}")) {
            throw new FieldException(field, "time must be HH:MM, e.g. 22:00");
        }
        try {
            return LocalTime.parse(s);
        } catch (DateTimeParseException ex) {
            throw new FieldException(field, "not a time of day: " + s);
        }
    }

    /** {@code Mon-Fri}, {@code Sat;Sun}, {@code Fri-Mon} (wraps), separated by ';' ',' or spaces. */
    static Set<DayOfWeek> parseDays(String spec) {
        EnumSet<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (String part : spec.trim().split("[;,\\s]+")) {
            if (part.isEmpty()) {
                continue;
            }
            String[] ends = part.split("-", -1);
            if (ends.length > 2) {
                throw new FieldException("days", "cannot read '" + part + "' (e.g. Mon-Fri or Sat;Sun)");
            }
            DayOfWeek from = day(ends[0]);
            DayOfWeek to = ends.length == 2 ? day(ends[1]) : from;
            for (DayOfWeek d = from; ; d = d.plus(1)) {
                out.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            throw new FieldException("days", "no day given");
        }
        return out;
    }

    private static DayOfWeek day(String s) {
        String t = s.trim();
        for (int i = 0; i < NAMES.size(); i++) {
            if (NAMES.get(i).equalsIgnoreCase(t)) {
                return DayOfWeek.of(i + 1);
            }
        }
        throw new FieldException("days", "unknown day '" + t + "' (Mon Tue Wed Thu Fri Sat Sun)");
    }

    /** Canonical: runs of two or more days as ranges, joined by ';' (Mon-Fri, Mon;Wed-Thu). */
    public static String formatDays(Set<DayOfWeek> days) {
        List<String> parts = new ArrayList<>();
        int i = 1;
        while (i <= 7) {
            if (!days.contains(DayOfWeek.of(i))) {
                i++;
                continue;
            }
            int j = i;
            while (j < 7 && days.contains(DayOfWeek.of(j + 1))) {
                j++;
            }
            parts.add(j == i ? NAMES.get(i - 1) : NAMES.get(i - 1) + "-" + NAMES.get(j - 1));
            i = j + 1;
        }
        return String.join(";", parts);
    }

    public String tzField() {
        return zone.getId();
    }

    public String daysField() {
        return formatDays(days);
    }

    public String startField() {
        return start == null ? "" : start.toString();
    }

    public String endField() {
        return end == null ? "" : end.equals(LocalTime.MIDNIGHT) ? "24:00" : end.toString();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A bad value of one named field; the CSV reader adds the line. */
    public static final class FieldException extends IllegalArgumentException {
        private final String field;

        public FieldException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }

        @Override
        public String toString() {
            return field + ": " + getMessage();
        }
    }
}
