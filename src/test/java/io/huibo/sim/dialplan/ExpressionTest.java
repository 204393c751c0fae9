package io.huibo.sim.dialplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpressionTest {
    @ParameterizedTest(name = "$[{0}] = {1}")
    @CsvSource(delimiter = '#', quoteCharacter = '\'', value = {
        "1 + 1#2",
        "0 + 1#1",
        "2 * 3 + 1#7",
        "2 * (3 + 1)#8",
        "7 / 2#3.5",
        "7 % 3#1",
        "-3 + 1#-2",
        "\"a\" = \"a\"#1",
        "\"a\" != \"a\"#0",
        "\"\" = \"\"#1",
        "\"\" = \"0\"#0",
        "\"1\" = \"01\"#1",
        "10 > 9#1",
        "\"10\" > \"9\"#1",
        "\"abc\" < \"abd\"#1",
        "2 <= 2#1",
        "3 >= 4#0",
        "1 == 1#1",
        "\"BUSY\" = \"BUSY\" | \"BUSY\" = \"CONGESTION\"#1",
        "\"NOANSWER\" = \"CONGESTION\" | \"NOANSWER\" = \"CHANUNAVAIL\"#0",
        "\"\" | \"x\"#x",
        "0 | 5#5",
        "3 | 5#3",
        "\"1\" = \"1\" & 1 < 2#1",
        "\"1\" = \"1\" & 2 < 2#0",
        "\"0\" = \"1\" & 1 < 2#0",
        "0 & 1#0",
        "4 & 5#4",
        "!0#1",
        "!\"x\"#0",
        "1 ? \"yes\" :: \"no\"#yes",
        "0 ? \"yes\" :: \"no\"#no",
        "\"a\" ~~ \"b\"#ab",
        "\"a b\"#a b",
        "\"(\" = \"(\"#1",
    })
    void evaluates(String expr, String expected) {
        assertThat(Expression.evaluate(expr)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1 +", "(1 + 2", "1 2", "= 1", "\"open", "1 ~ 2", ")"})
    void refusesWhatDoesNotParse(String expr) {
        assertThatThrownBy(() -> Expression.evaluate(expr)).isInstanceOf(DialplanException.class);
    }

    /** The exact $[...] of dialplan/huibo.conf, after substitution with the values a call gives them. */
    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '#', quoteCharacter = '\'', value = {
        "$[\"${HUIBO_MEMO_PURGE}\" != \"\"]#HUIBO_MEMO_PURGE=20261101#1",
        "$[\"${HUIBO_MEMO_PURGE}\" != \"\"]#HUIBO_MEMO_PURGE=#0",
        "$[\"${HUIBO_DIAL_COUNT}\" = \"\" | \"${HUIBO_DIAL_COUNT}\" = \"0\"]#HUIBO_DIAL_COUNT=#1",
        "$[\"${HUIBO_DIAL_COUNT}\" = \"\" | \"${HUIBO_DIAL_COUNT}\" = \"0\"]#HUIBO_DIAL_COUNT=0#1",
        "$[\"${HUIBO_DIAL_COUNT}\" = \"\" | \"${HUIBO_DIAL_COUNT}\" = \"0\"]#HUIBO_DIAL_COUNT=2#0",
        "$[${HUIBO_TRY} + 1]#HUIBO_TRY=0#1",
        "$[${HUIBO_TRY} + 1]#HUIBO_TRY=9#10",
        "$[\"${HUIBO_NEXT}\" = \"1\" & ${HUIBO_TRY} < ${HUIBO_DIAL_COUNT}]#HUIBO_NEXT=1,HUIBO_TRY=1,HUIBO_DIAL_COUNT=2#1",
        "$[\"${HUIBO_NEXT}\" = \"1\" & ${HUIBO_TRY} < ${HUIBO_DIAL_COUNT}]#HUIBO_NEXT=1,HUIBO_TRY=2,HUIBO_DIAL_COUNT=2#0",
        "$[\"${HUIBO_NEXT}\" = \"1\" & ${HUIBO_TRY} < ${HUIBO_DIAL_COUNT}]#HUIBO_NEXT=0,HUIBO_TRY=1,HUIBO_DIAL_COUNT=10#0",
        "$[\"${HUIBO_NEXT}\" = \"1\" & ${HUIBO_TRY} < ${HUIBO_DIAL_COUNT}]#HUIBO_NEXT=1,HUIBO_TRY=9,HUIBO_DIAL_COUNT=10#1",
        "$[\"${DIALSTATUS}\" = \"BUSY\"]#DIALSTATUS=BUSY#1",
        "$[\"${DIALSTATUS}\" = \"CONGESTION\" | \"${DIALSTATUS}\" = \"CHANUNAVAIL\"]#DIALSTATUS=CHANUNAVAIL#1",
        "$[\"${HUIBO_CONFIRM}\" != \"1\"]#HUIBO_CONFIRM=#1",
        "$[\"${HUIBO_CONFIRM}\" != \"1\"]#HUIBO_CONFIRM=1#0",
        "$[\"${HUIBO_DIGIT}\" != \"1\"]#HUIBO_DIGIT=2#1",
        "$[\"${AGISTATUS}\" != \"FAILURE\"]#AGISTATUS=FAILURE#0",
        "$[\"${AGISTATUS}\" != \"FAILURE\"]#AGISTATUS=HANGUP#1",
        "$[${i} + 1]#i=1#2",
        "$[\"${addr}\" != \"\"]#addr=127.0.0.1:4573#1",
        "$[\"${HUIBO_MEMO}\" = \"\"]#HUIBO_MEMO=20261202/X-1#0",
        "$[\"${HUIBO_RESULT}\" = \"queued\"]#HUIBO_RESULT=queued#1",
        "$[\"${HUIBO_RESULT}\" = \"pin\"]#HUIBO_RESULT=collect#0",
    })
    void theExpressionsOfHuiboConf(String text, String vars, String expected) {
        Map<String, String> values = new java.util.HashMap<>();
        for (String kv : vars.split(",")) {
            int eq = kv.indexOf('=');
            values.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        assertThat(SubstitutionTest.expand(text, values)).isEqualTo(expected);
    }
}
