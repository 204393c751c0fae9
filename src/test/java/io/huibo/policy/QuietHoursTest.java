package io.huibo.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuietHoursTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    /** Mon-Fri 09:00-20:00, Sat 10:00-18:00, Sunday quiet. */
    static QuietHours office(Set<LocalDate> holidays) {
        Map<DayOfWeek, List<QuietHours.Range>> m = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek d : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY,
                DayOfWeek.FRIDAY)) {
            m.put(d, List.of(QuietHours.Range.parse("09:00-20:00")));
        }
        m.put(DayOfWeek.SATURDAY, List.of(QuietHours.Range.parse("10:00-18:00")));
        return new QuietHours(m, holidays);
    }

    @Test
    void insideTheWindowIsNow() {
        // Wednesday 2026-11-25 10:00 in Shanghai is 02:00 UTC
        Instant t = Instant.parse("2026-11-25T02:00:00Z");
        assertThat(office(Set.of()).next(t, List.of(SHANGHAI))).contains(t);
        assertThat(office(Set.of()).allows(t, SHANGHAI)).isTrue();
    }

    @Test
    void acrossADayBoundaryInAnotherZone() {
        // Wednesday 2026-11-25 13:30 UTC is 21:30 in Shanghai: quiet until Thursday 09:00 there, which is
        // still Wednesday 2026-11-26 01:00 UTC, the next UTC day
        Instant t = Instant.parse("2026-11-25T13:30:00Z");
        assertThat(office(Set.of()).next(t, List.of(SHANGHAI))).contains(Instant.parse("2026-11-26T01:00:00Z"));
        // and 23:00 UTC on Friday is Saturday 07:00 in Shanghai: Saturday's window opens at 10:00
        assertThat(office(Set.of()).next(Instant.parse("2026-11-27T23:00:00Z"), List.of(SHANGHAI)))
                .contains(Instant.parse("2026-11-28T02:00:00Z"));
        // Saturday 18:00 there: Sunday is quiet, Monday 09:00
        assertThat(office(Set.of()).next(Instant.parse("2026-11-28T10:00:00Z"), List.of(SHANGHAI)))
                .contains(Instant.parse("2026-11-30T01:00:00Z"));
    }

    @Test
    void theWindowEndIsExcludedAndTheMinuteBeforeItsStartIsQuiet() {
        Instant at2000 = Instant.parse("2026-11-25T12:00:00Z");
        assertThat(office(Set.of()).allows(at2000, SHANGHAI)).isFalse();
        assertThat(office(Set.of()).allows(at2000.minusSeconds(1), SHANGHAI)).isTrue();
        Instant at0859 = Instant.parse("2026-11-25T00:59:59Z");
        assertThat(office(Set.of()).next(at0859, List.of(SHANGHAI))).contains(Instant.parse("2026-11-25T01:00:00Z"));
    }

    @Test
    void aDstChangeMovesTheUtcTimeOfTheWindow() {
        // Berlin leaves summer time on Sunday 2026-10-25: Friday 09:00 is 07:00 UTC, Monday 09:00 is 08:00 UTC
        Instant fridayNight = Instant.parse("2026-10-23T19:00:00Z"); // 21:00 CEST
        assertThat(office(Set.of()).next(fridayNight, List.of(BERLIN))).contains(Instant.parse("2026-10-24T08:00:00Z"));
        Instant saturdayNight = Instant.parse("2026-10-24T17:00:00Z"); // 19:00 CEST, past Saturday's 18:00
        assertThat(office(Set.of()).next(saturdayNight, List.of(BERLIN))).contains(Instant.parse("2026-10-26T08:00:00Z"));
        // spring forward (2026-03-29): a window starting in the skipped hour opens when the clock jumps
        QuietHours night = new QuietHours(Map.of(DayOfWeek.SUNDAY, List.of(QuietHours.Range.parse("02:30-04:00"))),
                Set.of());
        assertThat(night.next(Instant.parse("2026-03-29T00:00:00Z"), List.of(BERLIN)))
                .contains(Instant.parse("2026-03-29T01:00:00Z")); // 03:00 CEST, the first minute after the gap
    }

    @Test
    void aHolidayIsQuietAllDay() {
        // Friday 2026-12-25 in Shanghai: quiet; Saturday 10:00 next
        QuietHours q = office(Set.of(LocalDate.parse("2026-12-25")));
        Instant christmasMorning = Instant.parse("2026-12-25T02:00:00Z"); // 10:00 there
        assertThat(q.allows(christmasMorning, SHANGHAI)).isFalse();
        assertThat(q.next(christmasMorning, List.of(SHANGHAI))).contains(Instant.parse("2026-12-26T02:00:00Z"));
        // the holiday is the callee's date: at 2026-12-24T20:00Z it is already the 25th in Shanghai (quiet)
        // while Berlin's Thursday 24th is open until 20:00 (21:00 CET is past it: the 25th is quiet there too)
        Instant eve = Instant.parse("2026-12-24T17:00:00Z");
        assertThat(q.allows(eve, BERLIN)).isTrue();
        assertThat(q.allows(eve, SHANGHAI)).isFalse();
        assertThat(q.next(christmasMorning, List.of(BERLIN))).contains(Instant.parse("2026-12-26T09:00:00Z"));
    }

    @Test
    void severalZonesAllowOnlyWhatAllOfThemAllow() {
        ZoneId sydney = ZoneId.of("Australia/Sydney");
        ZoneId perth = ZoneId.of("Australia/Perth");
        // Wednesday 2026-11-25 22:30 UTC: Sydney (UTC+11) Thursday 09:30, allowed; Perth (UTC+8) 06:30, quiet
        Instant t = Instant.parse("2026-11-25T22:30:00Z");
        assertThat(office(Set.of()).next(t, List.of(sydney))).contains(t);
        // both: Perth's 09:00 (01:00 UTC), when Sydney is at 12:00
        assertThat(office(Set.of()).next(t, List.of(sydney, perth))).contains(Instant.parse("2026-11-26T01:00:00Z"));
        // in the evening Sydney closes first: Thursday 20:00 Sydney is 09:00 UTC; Perth is at 17:00 then
        Instant evening = Instant.parse("2026-11-26T09:00:00Z");
        // Sydney opens Friday 09:00 (22:00 UTC) while Perth sleeps; Perth's 09:00 is Friday 01:00 UTC
        assertThat(office(Set.of()).next(evening, List.of(sydney, perth))).contains(Instant.parse("2026-11-27T01:00:00Z"));
    }

    @Test
    void zonesThatNeverOverlapNeverAllow() {
        QuietHours narrow = new QuietHours(Map.of(DayOfWeek.MONDAY, List.of(QuietHours.Range.parse("09:00-10:00"))),
                Set.of());
        assertThat(narrow.next(Instant.parse("2026-11-25T00:00:00Z"), List.of(SHANGHAI, BERLIN))).isEmpty();
    }

    @Test
    void noZonesOrNoRulesAllowEverything() {
        Instant t = Instant.parse("2026-11-29T03:00:00Z");
        assertThat(office(Set.of()).next(t, List.of())).contains(t);
        assertThat(QuietHours.NONE.next(t, List.of(SHANGHAI))).contains(t);
    }
}
