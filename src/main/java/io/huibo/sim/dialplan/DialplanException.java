package io.huibo.sim.dialplan;

/** A dialplan the simulator cannot run; the message names the file and line, like Asterisk's own warnings. */
public final class DialplanException extends RuntimeException {
    public DialplanException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
    }

    public DialplanException(String message) {
        super(message);
    }
}
