package io.huibo.sim.dialplan;

/** One {@code exten =>} or {@code same =>} line: its priority number, optional label, application and raw data. */
public record Priority(int number, String label, String app, String data, String source, int line) {
    /** Where the line is, for error messages at run time. */
    public String where() {
        return source + ":" + line;
    }
}
