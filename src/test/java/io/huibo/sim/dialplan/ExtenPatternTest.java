package io.huibo.sim.dialplan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExtenPatternTest {
    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
        "s, s, true",
        "s, h, false",
        "h, h, true",
        "5000, 5000, true",
        "_X., 5000, true",
        "_X., 5, false",
        "_X., 55, true",
        "_X., '', false",
        "_X!, 5, true",
        "_X!, 512, true",
        "_X, 5, true",
        "_X, a, false",
        "_Z, 0, false",
        "_Z, 1, true",
        "_N, 1, false",
        "_N, 2, true",
        "_NXX, 200, true",
        "_NXX, 199, false",
        "_[13-5]X, 19, true",
        "_[13-5]X, 49, true",
        "_[13-5]X, 29, false",
        "_[13-5]X, 69, false",
        "_1[0-9]., 105, true",
        "_+X., +4930, true",
        "_x., 12, true",
        "_X., +49, false",
    })
    void matches(String pattern, String exten, boolean expected) {
        assertThat(ExtenPattern.matches(pattern, exten)).isEqualTo(expected);
    }
}
