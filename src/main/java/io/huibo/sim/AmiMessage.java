package io.huibo.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * One AMI packet: an ordered list of {@code Name: value} headers.
 * Order matters on the wire (the traces are compared byte for byte), so headers are kept as a list,
 * not a map. Lookups are case-insensitive because asterisk-java sends lower-case names.
 */
final class AmiMessage {
    private final List<String[]> headers = new ArrayList<>();

    static AmiMessage response(String response, String actionId) {
        AmiMessage m = new AmiMessage().add("Response", response);
        // Asterisk only echoes ActionID when the client sent one.
        if (actionId != null) {
            m.add("ActionID", actionId);
        }
        return m;
    }

    static AmiMessage event(String name, String privilege) {
        AmiMessage m = new AmiMessage().add("Event", name);
        if (privilege != null) {
            m.add("Privilege", privilege);
        }
        return m;
    }

    AmiMessage add(String name, Object value) {
        headers.add(new String[] {name, value == null ? "" : value.toString()});
        return this;
    }

    AmiMessage addIf(boolean cond, String name, Object value) {
        return cond ? add(name, value) : this;
    }

    /** Parses one header line; values keep inner spaces, the blank after the colon is dropped. */
    void parseLine(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return;
        }
        String value = line.substring(colon + 1);
        int i = 0;
        while (i < value.length() && value.charAt(i) == ' ') {
            i++;
        }
        headers.add(new String[] {line.substring(0, colon).trim(), value.substring(i)});
    }

    String get(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }

    List<String> getAll(String name) {
        List<String> out = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    boolean isEmpty() {
        return headers.isEmpty();
    }

    String encode() {
        StringBuilder sb = new StringBuilder(32 * headers.size() + 2);
        for (String[] h : headers) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @Override
    public String toString() {
        return encode();
    }
}
