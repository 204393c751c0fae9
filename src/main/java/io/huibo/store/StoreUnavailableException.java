package io.huibo.store;

/** MariaDB cannot be reached, refused us, or its schema cannot be migrated; the message is one line. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
