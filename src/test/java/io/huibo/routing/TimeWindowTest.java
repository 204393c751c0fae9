package io.huibo.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class TimeWindowTest {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    /** 22:00-06:00 Shanghai time, for nights starting Monday to Friday. */
    static final TimeWindow NIGHTS = TimeWindow.parse("Asia/Shanghai", "Mon-Fri", "22:00", "06:00");

    /** 2024-01-01 was a Monday. */
    static Instant shanghai(int dayOfJan2024, int hour, int minute) {
        return LocalDateTime.of(2024, 1, dayOfJan2024, hour, minute).atZone(SHANGHAI).toInstant();
    }

    @Test
    void nightWindowAcrossMidnightInAnotherZone() {
        // Monday 22:30 Shanghai is Monday 14:30 UTC: the clock of the machine does not matter
        assertThat(shanghai(1, 22, 30)).isEqualTo(Instant.parse("2024-01-01T14:30:00Z"));
        assertThat(NIGHTS.contains(shanghai(1, 22, 30))).isTrue();
        assertThat(NIGHTS.contains(shanghai(1, 21, 59))).isFalse();
        assertThat(NIGHTS.contains(shanghai(2, 0, 0))).isTrue();   // Tue 00:00, Monday's night
        assertThat(NIGHTS.contains(shanghai(2, 5, 59))).isTrue();
        assertThat(NIGHTS.contains(shanghai(2, 6, 0))).isFalse();  // end is exclusive
        assertThat(NIGHTS.contains(shanghai(2, 12, 0))).isFalse();
    }

    @Test
    void daysAreTheDaysTheWindowStartsOn() {
        // Friday night runs into Saturday morning
        assertThat(NIGHTS.contains(shanghai(5, 23, 0))).isTrue();  // Fri 23:00
        assertThat(NIGHTS.contains(shanghai(6, 3, 0))).isTrue();   // Sat 03:00, Friday's night
        assertThat(NIGHTS.contains(shanghai(6, 23, 0))).isFalse(); // Sat 23:00: no Saturday night
        assertThat(NIGHTS.contains(shanghai(7, 3, 0))).isFalse();  // Sun 03:00
        assertThat(NIGHTS.contains(shanghai(8, 3, 0))).isFalse();  // Mon 03:00 belongs to Sunday night
        assertThat(NIGHTS.contains(shanghai(8, 22, 0))).isTrue();  // Mon 22:00
    }

    @Test
    void dayWindowAndWholeDays() {
        TimeWindow office = TimeWindow.parse("Europe/Berlin", "Mon-Fri", "09:00", "17:00");
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        assertThat(office.contains(LocalDateTime.of(2024, 1, 3, 9, 0).atZone(berlin).toInstant())).isTrue();
        assertThat(office.contains(LocalDateTime.of(2024, 1, 3, 17, 0).atZone(berlin).toInstant())).isFalse();
        assertThat(office.contains(LocalDateTime.of(2024, 1, 6, 10, 0).atZone(berlin).toInstant())).isFalse();
        TimeWindow weekend = TimeWindow.parse("UTC", "Sat;Sun", "", "");
        assertThat(weekend.contains(Instant.parse("2024-01-06T00:00:00Z"))).isTrue();
        assertThat(weekend.contains(Instant.parse("2024-01-07T23:59:59Z"))).isTrue();
        assertThat(weekend.contains(Instant.parse("2024-01-08T00:00:00Z"))).isFalse();
        TimeWindow toMidnight = TimeWindow.parse("UTC", "", "20:00", "24:00");
        assertThat(toMidnight.contains(Instant.parse("2024-01-08T23:59:00Z"))).isTrue();
        assertThat(toMidnight.contains(Instant.parse("2024-01-09T00:00:00Z"))).isFalse();
    }

    @Test
    void noFieldsMeansNoWindow() {
        assertThat(TimeWindow.parse("", " ", null, "")).isNull();
    }

    @Test
    void daysParseAndFormatCanonically() {
        assertThat(TimeWindow.parseDays("Fri-Mon")).containsExactlyInAnyOrder(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY,
                DayOfWeek.SUNDAY, DayOfWeek.MONDAY);
        assertThat(TimeWindow.formatDays(TimeWindow.parseDays("Fri-Mon"))).isEqualTo("Mon;Fri-Sun");
        assertThat(TimeWindow.formatDays(TimeWindow.parseDays("Sun Sat"))).isEqualTo("Sat-Sun");
        assertThat(TimeWindow.formatDays(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY)))
                .isEqualTo("Mon;Wed-Thu");
        assertThat(TimeWindow.parseDays(TimeWindow.formatDays(EnumSet.allOf(DayOfWeek.class))))
                .isEqualTo(EnumSet.allOf(DayOfWeek.class));
    }

    @Test
    void badFieldsAreNamed() {
        assertThatThrownBy(() -> TimeWindow.parse("Mars/Olympus", "", "22:00", "06:00"))
                .isInstanceOfSatisfying(TimeWindow.FieldException.class, e -> assertThat(e.field()).isEqualTo("tz"));
        assertThatThrownBy(() -> TimeWindow.parse("UTC", "Mon-Funday", "", ""))
                .isInstanceOfSatisfying(TimeWindow.FieldException.class, e -> assertThat(e.field()).isEqualTo("days"));
        assertThatThrownBy(() -> TimeWindow.parse("UTC", "", "25:00", "06:00"))
                .isInstanceOfSatisfying(TimeWindow.FieldException.class, e -> assertThat(e.field()).isEqualTo("start"));
        assertThatThrownBy(() -> TimeWindow.parse("UTC", "", "22:00", ""))
                .isInstanceOfSatisfying(TimeWindow.FieldException.class, e -> assertThat(e.field()).isEqualTo("end"));
        assertThatThrownBy(() -> TimeWindow.parse("UTC", "", "22:00", "22:00"))
                .isInstanceOfSatisfying(TimeWindow.FieldException.class, e -> assertThat(e.field()).isEqualTo("end"));
    }
}
