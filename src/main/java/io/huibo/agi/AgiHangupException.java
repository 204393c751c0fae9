package io.huibo.agi;

/**
 * Asterisk sent {@code HANGUP}: the channel is gone (or the AGI is ending). A command that was
 * pending then, and every later one, fails with this; the script should just finish.
 */
public final class AgiHangupException extends AgiException {
    public AgiHangupException(String message) {
        super(message);
    }
}
