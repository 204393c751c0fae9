package io.huibo.sim;

import io.huibo.sim.dialplan.Args;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;

/**
 * Answer, Playback and Read. Prompts take the scenario's prompt time; what is keyed comes from the person on
 * the channel ({@link CallFlow#listener}), who answers the prompt heard last.
 */
final class MediaApps {
    /** Time between a Read() starting (after its prompt) and the person's keys being complete. */
    private static final Duration KEYING = Duration.ofMillis(30);
    /** Read()'s timeout when the dialplan gives none (the channel's default response timeout). */
    private static final Duration READ_DEFAULT = Duration.ofSeconds(10);

    private MediaApps() {}

    static Future<App.Flow> answer(PbxRun run, String data) {
        if (run.ch.state != 6) {
            run.call.events().newState(run.ch, 6);
        }
        run.call.answered(run);
        return App.next();
    }

    /** Playback(file): plays to its end; a person who hangs up meanwhile does so half way through it. */
    static Future<App.Flow> playback(PbxRun run, String data) {
        String file = Args.at(Args.split(data), 0);
        run.lastPrompt = file;
        Promise<App.Flow> done = run.block(() -> { });
        Duration length = run.call.node().scenario().prompt();
        long t = run.call.timer(length, () -> done.tryComplete(App.Flow.NEXT));
        done.future().onComplete(ar -> run.call.cancelTimer(t));
        Person person = run.call.listener(run);
        if (person.hangsUpDuring(file)) {
            run.call.timer(length.dividedBy(2), person::hangUp);
        }
        return done.future();
    }

    /**
     * Read(var,prompt,max,options,attempts,timeout): the prompt plays, then the person keys their digits (cut
     * to max); keying nothing, every attempt plays and times out and the variable is left empty.
     */
    static Future<App.Flow> read(PbxRun run, String data) {
        List<String> a = Args.split(data);
        String var = Args.at(a, 0).trim();
        String prompt = Args.at(a, 1).trim();
        int max = Args.at(a, 2).isBlank() ? 255 : Integer.parseInt(Args.at(a, 2).trim());
        int attempts = Args.at(a, 4).isBlank() ? 1 : Math.max(1, Integer.parseInt(Args.at(a, 4).trim()));
        Duration timeout = SignalApps.seconds(Args.at(a, 5));
        if (!prompt.isEmpty()) {
            run.lastPrompt = prompt;
        }
        String keys = run.call.listener(run).keysAfter(run.lastPrompt);
        String digits = keys.length() > max ? keys.substring(0, max) : keys;
        Duration promptTime = prompt.isEmpty() ? Duration.ZERO : run.call.node().scenario().prompt();
        Duration wait = digits.isEmpty()
            ? promptTime.plus(run.call.node().scenario().readTimeout(timeout == null ? READ_DEFAULT : timeout)).multipliedBy(attempts)
            : promptTime.plus(KEYING);
        Promise<App.Flow> done = run.block(() -> run.call.events().varSet(run.ch, "READSTATUS", "HANGUP"));
        long t = run.call.timer(wait, () -> {
            run.vars.set(var, digits);
            run.call.events().varSet(run.ch, "READSTATUS", digits.isEmpty() ? "TIMEOUT" : "OK");
            run.call.events().varSet(run.ch, var, digits);
            done.tryComplete(App.Flow.NEXT);
        });
        done.future().onComplete(ar -> run.call.cancelTimer(t));
        return done.future();
    }
}
