package io.huibo.api;

/** A request the API refuses, naming the offending field (null when it is the body as a whole). */
public final class InvalidRequestException extends RuntimeException {
    private final String field;

    public InvalidRequestException(String field, String detail) {
        super(detail, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
