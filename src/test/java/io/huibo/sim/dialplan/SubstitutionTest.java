package io.huibo.sim.dialplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubstitutionTest {
    static final Map<String, String> VARS = Map.of("A", "x", "N", "2", "HUIBO_DIAL_2", "PJSIP/1001@trunk",
        "HUIBO_TRY", "2", "HUIBO_CID_2", "+4930", "LONG", "abcdef", "Q", "1");

    static String expand(String text, Map<String, String> vars) {
        return Substitution.expand(text, new Substitution.Source() {
            @Override
            public String variable(String name) {
                return vars.get(name);
            }

            @Override
            public String function(String name, String args) {
                return switch (name) {
                    case "UPPER" -> args.toUpperCase();
                    case "LEN" -> String.valueOf(args.length());
                    default -> throw new DialplanException("unknown function '" + name + "'");
                };
            }
        });
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "plain|plain",
        "${A}|x",
        "<${A}>|<x>",
        "${UNSET}|''",
        "${HUIBO_DIAL_${HUIBO_TRY}},1|PJSIP/1001@trunk,1",
        "${HUIBO_CID_${HUIBO_TRY}}|+4930",
        "${UPPER(${A}b)}|XB",
        "${LEN(${LONG})}|6",
        "${LONG:1:2}|bc",
        "${LONG:-2}|ef",
        "${LONG:2}|cdef",
        "$[${N} + 1]|3",
        "$[\"${A}\" = \"x\"]?yes|1?yes",
        "${A}$[1+1]${A}|x2x",
        "$|$",
        "cost $5|cost $5",
    })
    void expands(String text, String expected) {
        assertThat(expand(text, VARS)).isEqualTo(expected);
    }

    @Test
    void aBrokenExpressionIsEmptyAtRunTime() {
        assertThat(expand("[$[1 +]]", VARS)).isEqualTo("[]");
    }

    @Test
    void unclosedReferencesAndUnknownFunctionsAreErrors() {
        assertThatThrownBy(() -> expand("${A", VARS)).isInstanceOf(DialplanException.class).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> expand("${NOPE(1)}", VARS)).hasMessageContaining("unknown function 'NOPE'");
    }
}
