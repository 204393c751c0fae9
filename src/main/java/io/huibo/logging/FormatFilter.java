package io.huibo.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Locale;

/**
 * Lets an appender write only when it is the configured log format (logback.xml: both appenders are
 * attached, each with this filter): a choice without Janino, and without logback's warning about an
 * appender left unreferenced, which would print its status lines into a JSON stream.
 */
public final class FormatFilter extends Filter<ILoggingEvent> {
    private String format = "text";
    private String selected = "text";

    /** The format this appender writes. */
    public void setFormat(String format) {
        this.format = normalize(format);
    }

    /** The configured format ({@code HUIBO_LOG_FORMAT}); anything but json is text. */
    public void setSelected(String selected) {
        this.selected = normalize(selected);
    }

    private static String normalize(String s) {
        return s != null && s.trim().toLowerCase(Locale.ROOT).equals("json") ? "json" : "text";
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return format.equals(selected) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
