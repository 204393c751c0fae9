package io.huibo.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogMaskTest {

    @Test
    void keepsThePlusAndTheLastFourDigits() {
        LogMask m = new LogMask(true);
        assertThat(m.mask("+8613800138000")).isEqualTo("+*********8000");
        assertThat(m.mask("13800138000")).isEqualTo("*******8000");
        assertThat(m.mask("1234")).isEqualTo("1234");
        assertThat(m.mask(null)).isNull();
    }

    @Test
    void turnedOffShowsTheNumber() {
        assertThat(new LogMask(false).mask("+8613800138000")).isEqualTo("+8613800138000");
    }

    @Test
    void onUnlessConfiguredOff() {
        assertThat(LogMask.enabledIn(null, null)).isTrue();
        assertThat(LogMask.enabledIn(null, "false")).isFalse();
        assertThat(LogMask.enabledIn("off", null)).isFalse();
        assertThat(LogMask.enabledIn("true", "false")).as("the property wins").isTrue();
        assertThat(LogMask.enabledIn(" ", "yes")).isTrue();
    }

    @Test
    void callMdcIsSetAroundTheLineAndRestoredAfter() {
        MDC.put(CallMdc.CALLBACK_ID, "outer");
        String[] seen = new String[4];
        CallMdc.log("cb1", 2, "pbx1", "hb-cb1-2", () -> {
            seen[0] = MDC.get(CallMdc.CALLBACK_ID);
            seen[1] = MDC.get(CallMdc.ATTEMPT);
            seen[2] = MDC.get(CallMdc.NODE);
            seen[3] = MDC.get(CallMdc.CHANNEL_ID);
        });
        assertThat(seen).containsExactly("cb1", "2", "pbx1", "hb-cb1-2");
        assertThat(MDC.get(CallMdc.CALLBACK_ID)).isEqualTo("outer");
        assertThat(MDC.get(CallMdc.ATTEMPT)).isNull();
        assertThat(MDC.get(CallMdc.NODE)).isNull();
        MDC.clear();
    }
}
