package io.huibo.cli;

/**
 * Ends a command with one line on standard error and an exit code from {@link Output}'s table; thrown
 * where a command cannot go on (the server is unreachable, a setting is missing).
 */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
