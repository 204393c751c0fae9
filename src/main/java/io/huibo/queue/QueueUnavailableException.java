package io.huibo.queue;

/** Redis cannot be reached or refused us; the message is one line, fit for a log or a CLI error. */
public class QueueUnavailableException extends RuntimeException {

    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
