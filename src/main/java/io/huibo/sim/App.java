package io.huibo.sim;

import io.vertx.core.Future;

/** A dialplan application as the simulator runs it; {@code data} is already substituted. */
interface App {
    /** What the channel does after the application returns. */
    enum Flow {
        /** the next priority */
        NEXT,
        /** the application moved the channel (Goto, Gosub, Return) */
        JUMPED,
        /** the application returned -1: the dialplan ends, the h extension runs */
        HANGUP
    }

    Future<Flow> run(PbxRun run, String data);

    static Future<Flow> next() {
        return Future.succeededFuture(Flow.NEXT);
    }

    static Future<Flow> jumped() {
        return Future.succeededFuture(Flow.JUMPED);
    }

    static Future<Flow> hangup() {
        return Future.succeededFuture(Flow.HANGUP);
    }
}
