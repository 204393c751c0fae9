package io.huibo.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class FormatFilterTest {

    private static FilterReply reply(String format, String selected) {
        FormatFilter f = new FormatFilter();
        f.setFormat(format);
        f.setSelected(selected);
        return f.decide(new LoggingEvent());
    }

    @Test
    void onlyTheSelectedFormatWrites() {
        assertThat(reply("json", "json")).isEqualTo(FilterReply.NEUTRAL);
        assertThat(reply("text", "json")).isEqualTo(FilterReply.DENY);
        assertThat(reply("json", " JSON ")).as("case and spaces do not matter").isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void anythingButJsonIsText() {
        assertThat(reply("text", "")).isEqualTo(FilterReply.NEUTRAL);
        assertThat(reply("text", "yaml")).isEqualTo(FilterReply.NEUTRAL);
        assertThat(reply("json", "text")).isEqualTo(FilterReply.DENY);
    }
}
