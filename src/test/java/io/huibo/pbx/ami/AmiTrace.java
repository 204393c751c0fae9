package io.huibo.pbx.ami;

import io.huibo.pbx.*;
import org.asteriskjava.manager.event.ManagerEvent;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the recorded Asterisk bytes of /work/shared/asterisk-traces (CRLF, blank line between
 * messages) and turns the events into asterisk-java event objects with asterisk-java's own
 * (package-private) EventBuilderImpl, the same code its reader uses on a live socket.
 */
public final class AmiTrace {
    public static final Path ROOT = Path.of(System.getProperty("huibo.traces", "/work/shared/asterisk-traces"));

    private AmiTrace() {
    }

    /** One message: the raw block (without the terminating blank line) and its headers, keys lower-case. */
    record Message(String raw, Map<String, String> headers) {
        String get(String key) {
            return headers.get(key.toLowerCase(Locale.ROOT));
        }

        boolean isEvent() {
            return headers.containsKey("event");
        }

        boolean isResponse() {
            return headers.containsKey("response") && !isEvent();
        }
    }

    static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    /** Splits a recording. The banner line (no colon) is skipped. */
    static List<Message> messages(String text) {
        List<Message> out = new ArrayList<>();
        String body = text;
        int firstNl = body.indexOf("\r\n");
        if (firstNl > 0 && !body.substring(0, firstNl).contains(":")) {
            body = body.substring(firstNl + 2);
        }
        for (String block : body.split("\r\n\r\n")) {
            if (block.isBlank()) {
                continue;
            }
            Map<String, String> h = new LinkedHashMap<>();
            for (String line : block.split("\r\n")) {
                int c = line.indexOf(':');
                if (c <= 0) {
                    continue;
                }
                String k = line.substring(0, c).trim().toLowerCase(Locale.ROOT);
                String v = line.substring(c + 1).trim();
                h.putIfAbsent(k, v);
            }
            if (!h.isEmpty()) {
                out.add(new Message(block, h));
            }
        }
        return out;
    }

    /** Events of a recording as asterisk-java objects; unknown event types are skipped. */
    static List<ManagerEvent> events(Path p) throws Exception {
        Object builder = eventBuilder();
        Method build = builder.getClass().getMethod("buildEvent", Object.class, Map.class);
        build.setAccessible(true);
        List<ManagerEvent> out = new ArrayList<>();
        for (Message m : messages(read(p))) {
            if (!m.isEvent()) {
                continue;
            }
            Map<String, Object> attrs = new LinkedHashMap<>(m.headers());
            ManagerEvent e = (ManagerEvent) build.invoke(builder, AmiTrace.class, attrs);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** One message as asterisk-java builds it: an event (null when its type is unknown) or a response. */
    static Object build(Message m) throws Exception {
        Map<String, Object> attrs = new LinkedHashMap<>(m.headers());
        if (m.isEvent()) {
            Object builder = eventBuilder();
            Method build = builder.getClass().getMethod("buildEvent", Object.class, Map.class);
            build.setAccessible(true);
            return build.invoke(builder, AmiTrace.class, attrs);
        }
        Class<?> c = Class.forName("org.asteriskjava.manager.internal.ResponseBuilderImpl");
        Constructor<?> k = c.getDeclaredConstructor();
        k.setAccessible(true);
        Object builder = k.newInstance();
        Method build = c.getMethod("buildResponse", Class.class, Map.class);
        build.setAccessible(true);
        return build.invoke(builder, null, attrs);
    }

    private static Object eventBuilder() throws Exception {
        Class<?> c = Class.forName("org.asteriskjava.manager.internal.EventBuilderImpl");
        Constructor<?> k = c.getDeclaredConstructor();
        k.setAccessible(true);
        return k.newInstance();
    }
}
