package io.huibo.logging;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The call a log line is about, in the MDC ({@code callbackId}, {@code attempt}, {@code node},
 * {@code channelId}): JSON lines carry them as fields, the text format shows the callback id. Vert.x
 * runs many calls on one thread, so the keys are set around the line and restored after it, never left.
 */
public final class CallMdc implements AutoCloseable {
    public static final String CALLBACK_ID = "callbackId";
    public static final String ATTEMPT = "attempt";
    public static final String NODE = "node";
    public static final String CHANNEL_ID = "channelId";

    private final Map<String, String> previous = new HashMap<>(4);

    private CallMdc(String callbackId, Integer attempt, String node, String channelId) {
        put(CALLBACK_ID, callbackId);
        put(ATTEMPT, attempt == null || attempt <= 0 ? null : attempt.toString());
        put(NODE, node);
        put(CHANNEL_ID, channelId);
    }

    /** Sets the keys given (null ones are left as they are) until {@link #close}. */
    public static CallMdc of(String callbackId, Integer attempt, String node, String channelId) {
        return new CallMdc(callbackId, attempt, node, channelId);
    }

    /** Runs {@code line} (a log call) with the call's keys in the MDC. */
    public static void log(String callbackId, Integer attempt, String node, String channelId, Runnable line) {
        try (CallMdc m = of(callbackId, attempt, node, channelId)) {
            line.run();
        }
    }

    private void put(String key, String value) {
        if (value != null) {
            previous.put(key, MDC.get(key));
            MDC.put(key, value);
        }
    }

    @Override
    public void close() {
        previous.forEach((k, v) -> {
            if (v == null) {
                MDC.remove(k);
            } else {
                MDC.put(k, v);
            }
        });
    }
}
