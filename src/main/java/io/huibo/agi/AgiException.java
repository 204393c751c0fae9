package io.huibo.agi;

/** A FastAGI session can no longer carry a command: closed, timed out, protocol error. */
public class AgiException extends RuntimeException {
    public AgiException(String message) {
        super(message, null, false, false); // no stack trace: these are expected, per call, at volume
    }
}
