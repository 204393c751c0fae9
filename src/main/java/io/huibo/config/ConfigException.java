package io.huibo.config;

/** A configuration that cannot start Huibo; the message is the one line shown to the operator. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
