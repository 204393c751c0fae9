package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    private static final Scenario S = Scenario.parse("""
        defaults: {prompt: 40ms, readTimeout: 1s}
        trunks: {carrier-bad: congestion, carrier-down: chanunavail, carrier-ok: normal}
        numbers:
          "1001": {press: "", keys: "8613900139000", pin: 1234}
          "1002": {press: 2, outcomes: [busy, answer]}
        """);

    @Test
    void trunksOverrideOnlyWhenTheyFail() {
        assertThat(S.trunk("carrier-bad")).isEqualTo(Scenario.Outcome.CONGESTION);
        assertThat(S.trunk("carrier-down")).isEqualTo(Scenario.Outcome.CHANUNAVAIL);
        assertThat(S.trunk("carrier-ok")).isNull();
        assertThat(S.trunk("unknown")).isNull();
        assertThat(S.trunk(null)).isNull();
    }

    @Test
    void keysPressedPinAndTheirDefaults() {
        assertThat(S.press("1001")).isEmpty();
        assertThat(S.press("1002")).isEqualTo("2");
        assertThat(S.press("5555")).isEqualTo("1");
        assertThat(S.keys("1001")).isEqualTo("8613900139000");
        assertThat(S.keys("1002")).isEmpty();
        assertThat(S.pin("1001")).isEqualTo("1234");
        assertThat(S.pin("5555")).isEmpty();
    }

    @Test
    void timingOverridesAndDialplanDefaults() {
        assertThat(S.prompt()).isEqualTo(Duration.ofMillis(40));
        assertThat(S.readTimeout(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(1));
        Scenario plain = Scenario.empty();
        assertThat(plain.prompt()).isEqualTo(Scenario.DEFAULT_PROMPT);
        assertThat(plain.readTimeout(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(plain.press("1")).isEqualTo("1");
    }

    @Test
    void successiveOutcomesStillAdvancePerNumber() {
        Scenario s = Scenario.parse("numbers: {\"7\": {outcomes: [busy, answer]}}");
        assertThat(s.next("7").outcome()).isEqualTo(Scenario.Outcome.BUSY);
        assertThat(s.next("7").outcome()).isEqualTo(Scenario.Outcome.ANSWER);
        assertThat(s.next("7").outcome()).isEqualTo(Scenario.Outcome.ANSWER);
    }

    @Test
    void rejectsNonDigitKeysAndUnknownTrunkBehaviour() {
        assertThatThrownBy(() -> Scenario.parse("numbers: {\"1\": {keys: \"12&3\"}}"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys");
        assertThatThrownBy(() -> Scenario.parse("trunks: {t: sideways}"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sideways");
    }
}
