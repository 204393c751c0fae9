package io.huibo.cli;

import java.util.function.Consumer;

/**
 * Reads a Server-Sent Events stream line by line (the WHATWG rules a browser follows: {@code field:
 * value}, one optional space after the colon, comment lines start with a colon, a blank line ends a
 * frame) and hands each complete frame on. Remembers the last event id, which a reconnect sends back.
 */
final class SseReader {
    /** One frame: its id (null if it had none), event name ({@code message} by default) and data. */
    record Frame(String id, String event, String data) {
    }

    private final Consumer<Frame> frames;
    private String id;
    private String event;
    private StringBuilder data;
    private String lastId;

    SseReader(Consumer<Frame> frames) {
        this.frames = frames;
    }

    String lastId() {
        return lastId;
    }

    void line(String line) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.startsWith(":")) {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> {
                // retry and unknown fields: nothing a command line needs
            }
        }
    }

    private void dispatch() {
        if (id != null) {
            lastId = id;
        }
        if (data != null) {
            frames.accept(new Frame(id, event == null ? "message" : event, data.toString()));
        }
        id = null;
        event = null;
        data = null;
    }
}
