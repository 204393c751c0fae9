package io.huibo.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.dispatch.DialGate.Verdict;
import io.huibo.domain.CallFlow;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.PhoneNumber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallingGateTest {
    private static final CalleeZones ZONES = new CalleeZones();
    private static final RetryProfile BUILT_IN = RetryProfile.builtIn("default", Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60));
    private static final RetryProfile OFFICE = new RetryProfile("office", Map.of(), Duration.ofHours(48),
            QuietHoursTest.office(Set.of()));
    private final CallingGate gate = new CallingGate(new Profiles(BUILT_IN, Map.of("office", OFFICE), "default"), ZONES);
    /** The controllable clock: Wednesday 2026-11-25 13:30 UTC, 21:30 in Shanghai. */
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T13:30:00Z"), ZoneOffset.UTC);

    private Callback cb(String number, String profile, Instant notAfter, String timeZone) {
        Instant created = clock.instant().minusSeconds(60);
        return new Callback(CallbackIds.next(), PhoneNumber.e164(number), PhoneNumber.of("100"), null, 0, 3, null,
                null, CallState.QUEUED, 0, created, created, created, CallFlow.CUSTOMER_FIRST, false,
                new Callback.Calling(profile, notAfter, timeZone));
    }

    @Test
    void quietHoursInTheCalleesZoneWaitForTheNextAllowedMinute() {
        Verdict v = gate.verdict(cb("+8613800138000", "office", null, null), clock.instant());
        assertThat(v).isInstanceOf(Verdict.Wait.class);
        assertThat(((Verdict.Wait) v).until()).isEqualTo(Instant.parse("2026-11-26T01:00:00Z"));
        assertThat(((Verdict.Wait) v).reason()).contains("Asia/Shanghai");
    }

    @Test
    void theRequestsTimeZoneOverridesTheNumbers() {
        // 13:30 UTC is 14:30 in Berlin, a Wednesday: allowed
        assertThat(gate.verdict(cb("+8613800138000", "office", null, "Europe/Berlin"), clock.instant()))
                .isInstanceOf(Verdict.Dial.class);
    }

    @Test
    void aNumberWithoutZoneDataIsAllowed() {
        assertThat(gate.zonesOf(cb("+999123456", "office", null, null))).isEmpty();
        assertThat(gate.verdict(cb("+999123456", "office", null, null), clock.instant()))
                .isInstanceOf(Verdict.Dial.class);
    }

    @Test
    void aCountryOfSeveralZonesUsesAllOfThem() {
        assertThat(gate.zonesOf(cb("+61412345678", "office", null, null)))
                .contains(java.time.ZoneId.of("Australia/Sydney"), java.time.ZoneId.of("Australia/Perth"));
    }

    @Test
    void pastNotAfterEndsExpired() {
        Instant notAfter = clock.instant().minusSeconds(1);
        Verdict v = gate.verdict(cb("+8613800138000", "default", notAfter, null), clock.instant());
        assertThat(v).isEqualTo(new Verdict.End(CallState.EXPIRED, "not dialable in its window: past notAfter "
                + notAfter));
    }

    @Test
    void quietHoursLastingPastNotAfterEndExpiredAtOnce() {
        Verdict v = gate.verdict(cb("+8613800138000", "office", clock.instant().plus(Duration.ofHours(2)), null),
                clock.instant());
        assertThat(v).isInstanceOf(Verdict.End.class);
        assertThat(((Verdict.End) v).state()).isEqualTo(CallState.EXPIRED);
        assertThat(((Verdict.End) v).reason()).contains("quiet hours").contains("notAfter");
    }

    @Test
    void pastTheProfilesExpiryEndsExpired() {
        Instant later = clock.instant().plus(Duration.ofHours(49));
        Verdict v = gate.verdict(cb("+8613800138000", "office", null, "Europe/Berlin"), later);
        assertThat(v).isInstanceOf(Verdict.End.class);
        assertThat(((Verdict.End) v).reason()).contains("expiry");
    }

    @Test
    void theBuiltInProfileHasNoQuietHours() {
        assertThat(gate.verdict(cb("+8613800138000", null, null, null), clock.instant())).isInstanceOf(Verdict.Dial.class);
    }

    @Test
    void onlyIanaZonesAreValid() {
        assertThat(CalleeZones.validZone("Europe/Berlin")).isTrue();
        assertThat(CalleeZones.validZone("+02:00")).isFalse();
        assertThat(CalleeZones.validZone("Mars/Olympus")).isFalse();
        assertThat(List.of()).isEmpty();
    }
}
