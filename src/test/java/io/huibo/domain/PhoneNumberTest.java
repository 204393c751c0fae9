package io.huibo.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumberTest {

    @ParameterizedTest
    @ValueSource(strings = {"+8613800138000", "+4930123456", "+123456", "100", "0301234567", "12345678901234567890"})
    void acceptsDigitsWithOptionalPlus(String s) {
        assertThat(PhoneNumber.of(s).value()).isEqualTo(s);
        assertThat(PhoneNumber.isValid(s)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "+", "++8613800138000", "+0123456", "86-138", "+86 138", "+86138&00",
        "+86138,00", "+86138/00", "+86138|00", "+86138;00", "+86138\r00", "+86138\n00", "+86138\t00", "abc",
        "123456789012345678901", "+1234567890123456", "+861380013800０"})
    void refusesEverythingElse(String s) {
        assertThatThrownBy(() -> PhoneNumber.of(s)).isInstanceOf(IllegalArgumentException.class);
        assertThat(PhoneNumber.isValid(s)).isFalse();
    }

    @Test
    void e164RequiresThePlusForm() {
        assertThat(PhoneNumber.e164("+8613800138000").value()).isEqualTo("+8613800138000");
        assertThatThrownBy(() -> PhoneNumber.e164("8613800138000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PhoneNumber.e164("+12345")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PhoneNumber.e164(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
