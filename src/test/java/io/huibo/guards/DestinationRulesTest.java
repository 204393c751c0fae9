package io.huibo.guards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.PhoneNumber;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationRulesTest {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private static String premium(String region) {
        return UTIL.format(UTIL.getExampleNumberForType(region, PhoneNumberUtil.PhoneNumberType.PREMIUM_RATE),
                PhoneNumberUtil.PhoneNumberFormat.E164);
    }

    private static Optional<String> guard(DestinationRules r, String number) {
        return r.check(PhoneNumber.of(number)).map(DestinationRules.Refusal::guard);
    }

    private static final DestinationRules DEFAULTS = DestinationRules.of(HuiboConfig.Guards.defaults());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "+8613800138000, ''",             // a mobile in the home country
            "+861012345678, ''",             // Beijing landline
            "01012345678, ''",               // the same, national
            "100, ''",                       // an internal extension
            "2001, ''",                      // another
            "+4930123456, international",
            "+12025550123, international",
            "0014155550123, international",  // CN's international dialing prefix 00
            "+881612345678, satellite",
            "+88234567890, satellite",
            "+883510012345, satellite",
            "+870772123456, satellite",
            "00881612345678, satellite",
    })
    void theDefaultsDenyTheCategoriesOutsideTheHomeCountry(String number, String expected) {
        assertThat(guard(DEFAULTS, number).orElse("")).isEqualTo(expected);
    }

    @Test
    void premiumRateNumbersAreKnownFromTheNumberPlan() {
        assertThat(guard(DEFAULTS, premium("CN"))).contains("premium-rate");
        DestinationRules us = DestinationRules.of("US", List.of(), List.of());
        assertThat(guard(us, premium("US"))).contains("premium-rate");
        assertThat(guard(us, "+12025550123")).isEmpty();
        // a foreign premium number is refused as premium first (the more specific rule)
        assertThat(guard(DEFAULTS, premium("GB"))).contains("premium-rate");
    }

    @Test
    void aCategoryIsAllowedByName() {
        DestinationRules r = DestinationRules.of("CN", List.of("international"), List.of());
        assertThat(guard(r, "+4930123456")).isEmpty();
        assertThat(guard(r, "+881612345678")).contains("satellite");
        assertThat(guard(r, premium("GB"))).contains("premium-rate");
        DestinationRules all = DestinationRules.of("CN", List.of("international", "satellite", "premium-rate"), List.of());
        assertThat(guard(all, "+881612345678")).isEmpty();
        assertThat(guard(all, premium("GB"))).isEmpty();
    }

    @Test
    void anAllowPrefixBeatsTheCategoriesAndADenyPrefixBeatsEverything() {
        DestinationRules r = DestinationRules.of("CN", List.of("+4930", "+881", premium("CN")), List.of("+493012"));
        assertThat(guard(r, "+4930999999")).isEmpty();
        assertThat(guard(r, "+4989999999")).contains("international");
        assertThat(guard(r, "+881612345678")).isEmpty();
        assertThat(guard(r, premium("CN"))).isEmpty();
        assertThat(guard(r, "+4930123456")).contains("deny-prefix");
        DestinationRules home = DestinationRules.of("CN", List.of("international"), List.of("+86", "9"));
        assertThat(guard(home, "+8613800138000")).contains("deny-prefix");
        assertThat(guard(home, "01012345678")).as("a national number in international form").contains("deny-prefix");
        assertThat(guard(home, "900")).as("a prefix without + matches as written").contains("deny-prefix");
        assertThat(guard(home, "800")).isEmpty();
        assertThat(r.check(PhoneNumber.of("+4930123456")).orElseThrow().rule()).contains("+493012");
    }

    @Test
    void aKeysEntriesAddToTheConfiguredOnes() {
        DestinationRules r = DEFAULTS.plus(List.of("+44"), List.of("+8613900"));
        assertThat(guard(r, "+442071234567")).isEmpty();
        assertThat(guard(r, "+8613900001111")).contains("deny-prefix");
        assertThat(guard(r, "+4930123456")).contains("international");
        assertThat(guard(DEFAULTS, "+442071234567")).as("the configured rules are unchanged").contains("international");
    }

    @Test
    void theHomeCountryIsARegionOrACallingCode() {
        DestinationRules byCode = DestinationRules.of("+49", List.of(), List.of());
        assertThat(guard(byCode, "+4930123456")).isEmpty();
        assertThat(guard(byCode, "030123456")).isEmpty();
        assertThat(guard(byCode, "+8613800138000")).contains("international");
        assertThat(guard(DestinationRules.of("49", List.of(), List.of()), "+4930123456")).isEmpty();
        assertThatThrownBy(() -> DestinationRules.of("XX", List.of(), List.of())).hasMessageContaining("homeCountry");
        assertThatThrownBy(() -> DestinationRules.of("881", List.of(), List.of())).hasMessageContaining("homeCountry");
        assertThatThrownBy(() -> DestinationRules.of("CN", List.of("+49x"), List.of())).hasMessageContaining("guards.allow");
        assertThatThrownBy(() -> DestinationRules.of("CN", List.of(), List.of("satellite"))).hasMessageContaining("guards.deny");
    }

    @Test
    void entriesAreChecked() {
        assertThat(DestinationRules.problem("+4930", true)).isEmpty();
        assertThat(DestinationRules.problem("premium-rate", true)).isEmpty();
        assertThat(DestinationRules.problem("premium-rate", false)).isPresent();
        assertThat(DestinationRules.problem("", true)).isPresent();
        assertThat(DestinationRules.problem("+49-30", true)).isPresent();
        assertThat(DestinationRules.problem("+1234567890123456", false)).isPresent();
    }

    @Test
    void theDialTimeCheckAppliesOnlyTheDenyPrefixesSoAKeysAllowEntriesAreNotUndone() {
        DestinationRules r = DestinationRules.of("CN", List.of(), List.of("+4930"));
        // international, which a key's own allow may have let in at request time: not refused again
        assertThat(r.check(PhoneNumber.of("+441632960000"))).isPresent();
        assertThat(r.denied(PhoneNumber.of("+441632960000"))).isEmpty();
        // a deny prefix refuses whatever allowed it
        assertThat(r.denied(PhoneNumber.of("+4930123456"))).get().extracting(DestinationRules.Refusal::guard)
                .isEqualTo("deny-prefix");
        assertThat(DEFAULTS.denied(PhoneNumber.of("+4930123456"))).isEmpty();
    }
}
