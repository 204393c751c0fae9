package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.domain.PhoneNumber;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoNotCallCsvTest {

    @Test
    void linesAreNumberAndOptionalReasonWithAnOptionalHeader() {
        List<DoNotCallCsv.Row> rows = DoNotCallCsv.parse("""
                number,reason
                +8613800138000,asked not to be called

                8613900139000
                +8613700137000,"complained, twice"
                +8613600136000,  \s
                """);

        assertThat(rows).containsExactly(
                new DoNotCallCsv.Row(PhoneNumber.of("+8613800138000"), "asked not to be called"),
                new DoNotCallCsv.Row(PhoneNumber.of("8613900139000"), null),
                new DoNotCallCsv.Row(PhoneNumber.of("+8613700137000"), "complained, twice"),
                new DoNotCallCsv.Row(PhoneNumber.of("+8613600136000"), null));
    }

    @Test
    void withoutAHeaderTheFirstLineIsANumber() {
        assertThat(DoNotCallCsv.parse("+8613800138000\n")).extracting(r -> r.number().value())
                .containsExactly("+8613800138000");
        assertThat(DoNotCallCsv.parse("")).isEmpty();
    }

    @Test
    void aBadLineRefusesTheWholeBodyNamingIt() {
        assertThatThrownBy(() -> DoNotCallCsv.parse("+8613800138000\n+86138&PJSIP/1,x\n"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("line 2")
                .extracting(e -> ((InvalidRequestException) e).field()).isEqualTo("line 2");
        assertThatThrownBy(() -> DoNotCallCsv.parse("+8613800138000,a,b\n"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> DoNotCallCsv.parse("+8613800138000,\"open quote\n"))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> DoNotCallCsv.parse("+8613800138000," + "x".repeat(256) + "\n"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("255");
    }

    @Test
    void reasonsAreTrimmedAndControlCharactersRefused() {
        assertThat(DoNotCallCsv.reason("  spam  ", "reason")).isEqualTo("spam");
        assertThat(DoNotCallCsv.reason("", "reason")).isNull();
        assertThatThrownBy(() -> DoNotCallCsv.reason("a\nAction: Hangup", "reason"))
                .isInstanceOf(InvalidRequestException.class).extracting(e -> ((InvalidRequestException) e).field())
                .isEqualTo("reason");
    }
}
