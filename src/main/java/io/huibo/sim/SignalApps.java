package io.huibo.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;

/** Busy, Congestion and Hangup: the applications that end a call with a cause. */
final class SignalApps {
    private SignalApps() {}

    /**
     * Busy(timeout) / Congestion(timeout): the channel signals the cause and waits for the other side to hang
     * up, at most {@code timeout} seconds (none: until it does); then the dialplan ends.
     */
    static Future<App.Flow> indicate(PbxRun run, String data, int cause) {
        if (run.ch.state != 6) {
            run.call.events().newState(run.ch, 7);
        }
        run.ch.hangupCause = cause;
        Promise<App.Flow> done = run.block(() -> { });
        Duration wait = seconds(data);
        if (wait != null) {
            long t = run.call.timer(wait, () -> done.tryComplete(App.Flow.HANGUP));
            done.future().onComplete(ar -> run.call.cancelTimer(t));
        }
        run.call.indicated(run, cause);
        return done.future();
    }

    /**
     * Hangup([cause]): the request says the cause given, else 16; the channel keeps the cause it already
     * has (e.g. from a failed Dial) unless one is given (traces two-leg-b-busy, -noanswer).
     */
    static Future<App.Flow> hangup(PbxRun run, String data) {
        int given = cause(data);
        if (given > 0) {
            run.ch.hangupCause = given;
        } else if (run.ch.hangupCause == 0) {
            run.ch.hangupCause = 16;
        }
        run.call.events().softHangupRequest(run.ch, given > 0 ? given : 16);
        return App.hangup();
    }

    private static int cause(String data) {
        try {
            return data == null || data.isBlank() ? 0 : Integer.parseInt(data.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Hangup: cause '" + data + "' is not a number");
        }
    }

    /** An application's timeout argument in seconds; null when absent or 0. */
    static Duration seconds(String data) {
        if (data == null || data.isBlank()) {
            return null;
        }
        try {
            double s = Double.parseDouble(data.trim());
            return s <= 0 ? null : Duration.ofMillis(Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + data + "' is not a number of seconds");
        }
    }
}
