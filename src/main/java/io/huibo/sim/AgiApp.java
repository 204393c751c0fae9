package io.huibo.sim;

import io.huibo.sim.dialplan.Args;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;

/**
 * AGI(agi://host:port/script?query,arg1,...): one FastAGI session through the node's client. AGISTATUS is
 * SUCCESS when the server ran and closed, FAILURE when it cannot be reached, HANGUP when the channel hung up
 * meanwhile (then the dialplan ends, as res_agi returns -1).
 */
final class AgiApp implements App {
    @Override
    public Future<Flow> run(PbxRun run, String data) {
        List<String> args = Args.split(data);
        String url = Args.at(args, 0).trim();
        List<String> scriptArgs = args.size() > 1 ? args.subList(1, args.size()) : List.of();
        String hostPort = null;
        String script = "";
        if (url.startsWith("agi://")) {
            String rest = url.substring("agi://".length());
            int slash = rest.indexOf('/');
            hostPort = slash < 0 ? rest : rest.substring(0, slash);
            script = slash < 0 ? "" : rest.substring(slash + 1);
        }
        boolean[] hungUp = {false};
        Promise<Flow> done = run.block(() -> {
            hungUp[0] = true;
            run.setVar("AGISTATUS", "HANGUP");
        });
        FastAgiClient.Channel channel = new FastAgiClient.Channel() {
            @Override
            public SimChannel sim() {
                return run.ch;
            }

            @Override
            public String get(String name) {
                int open = name.indexOf('(');
                if (open > 0 && name.endsWith(")")) {
                    return DialplanFunctions.read(run, name.substring(0, open), name.substring(open + 1, name.length() - 1));
                }
                return run.variable(name);
            }

            @Override
            public void set(String name, String value) {
                if (!hungUp[0] && !run.gone()) {
                    run.assign(name, value);
                }
            }

            @Override
            public String expand(String text) {
                return run.expand(text);
            }
        };
        run.call.node().agi().run(hostPort, script, scriptArgs, channel,
            run.call.events().agiListener(run.ch, () -> !hungUp[0] && !run.gone() && !run.call.ended()))
            .onComplete(ar -> {
                if (hungUp[0] || run.gone() || run.call.ended()) {
                    return;
                }
                run.setVar("AGISTATUS", ar.succeeded() ? ar.result().agiStatus() : "FAILURE");
                done.tryComplete(Flow.NEXT);
            });
        return done.future();
    }
}
