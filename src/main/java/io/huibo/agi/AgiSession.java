package io.huibo.agi;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * One FastAGI conversation with Asterisk. Commands go one at a time: {@link #send} fails at once
 * (IllegalStateException) while another command waits for its reply, so chain with
 * {@code compose}. Reply futures complete on the session's event loop.
 */
public interface AgiSession {

    AgiRequest request();

    /**
     * Sends one command line (without line end) and completes with the parsed reply, whatever its
     * code. Fails with {@link AgiHangupException} once Asterisk sent HANGUP, with {@link AgiException}
     * when the session is closed, and with IllegalArgumentException for a command holding a line
     * break or longer than Asterisk accepts.
     */
    Future<AgiReply> send(String command);

    /** True once Asterisk sent {@code HANGUP} on this session. */
    boolean hungUp();

    boolean isClosed();

    /** Closes our side; Asterisk then answers HANGUP and continues the dialplan. Idempotent. */
    Future<Void> close();

    /**
     * {@code SET VARIABLE name "value"}. The value is quoted with {@code "} and {@code \} escaped,
     * the way res_agi's argument parser reads it; a line break cannot be sent and is refused.
     */
    default Future<Void> setVariable(String name, String value) {
        String cmd;
        try {
            cmd = "SET VARIABLE " + AgiCommands.variableName(name) + " " + AgiCommands.quote(value);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return send(cmd).compose(r -> r.isSuccess() ? Future.<Void>succeededFuture()
                : Future.failedFuture(new AgiException("SET VARIABLE " + name + " failed: " + r.code() + " " + r.text())));
    }

    /** {@code GET VARIABLE name}: empty when the variable is not set ({@code 200 result=0}). */
    default Future<Optional<String>> getVariable(String name) {
        String cmd;
        try {
            cmd = "GET VARIABLE " + AgiCommands.variableName(name);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return send(cmd).compose(r -> {
            if (!r.isSuccess()) {
                return Future.failedFuture(new AgiException("GET VARIABLE " + name + " failed: " + r.code() + " " + r.text()));
            }
            return Future.succeededFuture(r.result() == 1 ? Optional.ofNullable(r.data()) : Optional.empty());
        });
    }

    /** {@code VERBOSE "message" level}: a line on the Asterisk console at that verbosity (1-4). */
    default Future<Void> verbose(String message, int level) {
        String cmd;
        try {
            cmd = "VERBOSE " + AgiCommands.quote(message) + " " + Math.max(1, Math.min(4, level));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return send(cmd).mapEmpty();
    }
}
