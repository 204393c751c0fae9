package io.huibo.bench;

import io.huibo.agi.FastAgiServer;
import io.huibo.config.ConfigLoader;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.routing.DialString;
import io.huibo.routing.Router;
import io.huibo.routing.StaticRouter;
import io.huibo.store.CallbackStore;
import io.huibo.store.Database;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.AgiScript;
import org.asteriskjava.fastagi.DefaultAgiServer;
import org.asteriskjava.fastagi.SimpleMappingStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code huibo agi-baseline}: asterisk-java's stock {@link DefaultAgiServer} (thread per session)
 * serving the same {@code route} decision as Huibo's FastAGI script, from the same configuration
 * (HUIBO_* variables), the same MariaDB lookup ({@link CallbackStore#find}) and the same router. It
 * exists only so that scripts/bench can compare the two servers under one load generator.
 */
@Command(name = "agi-baseline", hidden = true, mixinStandardHelpOptions = true,
        description = "Benchmark baseline: asterisk-java DefaultAgiServer serving Huibo's route decision.")
public final class AgiBaselineCommand implements Callable<Integer> {
    @Option(names = "--port", required = true) int port;
    @Option(names = "--bind", defaultValue = "127.0.0.1") String bind;

    @Override
    public Integer call() throws Exception {
        HuiboConfig cfg = ConfigLoader.load(null, System.getenv());
        Database db = Database.open(cfg.db());
        CallbackStore store = new CallbackStore(db);
        Router router = new StaticRouter(cfg.routing());
        String ring = Long.toString(Math.max(1, cfg.dispatch().originateTimeout().toSeconds()));
        SimpleMappingStrategy mapping = new SimpleMappingStrategy();
        mapping.setMappings(java.util.Map.of("route", new Route(store, router, ring)));
        DefaultAgiServer server = new DefaultAgiServer(mapping);
        server.setPort(port);
        server.setAddress(InetAddress.getByName(bind));
        Thread t = new Thread(() -> {
            try {
                server.startup();
            } catch (Exception e) {
                System.err.println("agi-baseline: " + e.getMessage());
            }
        }, "agi-baseline");
        t.setDaemon(true);
        t.start();
        waitListening();
        System.out.println("agi-baseline ready on " + bind + ":" + port);
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.shutdown();
            } catch (RuntimeException ignored) {
                // already down
            }
            store.close();
            db.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    private void waitListening() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket(bind, port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("DefaultAgiServer did not start on " + port);
    }

    /** The decision of Huibo's RouteScript (validation, lookup, attempt check, router), blocking. */
    static final class Route implements AgiScript {
        private final CallbackStore store;
        private final Router router;
        private final String ring;

        Route(CallbackStore store, Router router, String ring) {
            this.store = store;
            this.router = router;
            this.ring = ring;
        }

        @Override
        public void service(AgiRequest request, AgiChannel channel) throws AgiException {
            decide(request, channel);
            // as Huibo's FastAGI server ends every completed session (dialplan/huibo.conf, [huibo-agi])
            channel.setVariable(FastAgiServer.COMPLETED_VARIABLE, "1");
        }

        private void decide(AgiRequest request, AgiChannel channel) throws AgiException {
            String legParam = request.getParameter("leg");
            Leg leg = "a".equalsIgnoreCase(legParam) ? Leg.A : "b".equalsIgnoreCase(legParam) ? Leg.B : null;
            String[] args = request.getArguments();
            String id = args != null && args.length > 0 ? args[0] : null;
            String at = args != null && args.length > 1 ? args[1] : null;
            if (leg == null) {
                channel.setVariable("HUIBO_ERROR", "bad-leg");
                return;
            }
            if (!CallbackIds.isValid(id)) {
                channel.setVariable("HUIBO_ERROR", "bad-callback-id");
                return;
            }
            int attempt = at != null && at.matches("[0-9]{1,3}") ? Integer.parseInt(at) : -1;
            if (attempt < 1) {
                channel.setVariable("HUIBO_ERROR", "bad-attempt");
                return;
            }
            Optional<Callback> cb;
            try {
                cb = store.find(id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                channel.setVariable("HUIBO_ERROR", "lookup-failed");
                return;
            }
            if (cb.isEmpty()) {
                channel.setVariable("HUIBO_ERROR", "unknown-callback");
                return;
            }
            CallState st = cb.get().state();
            if (st.isFinal()) {
                channel.setVariable("HUIBO_ERROR", "callback-finished");
                return;
            }
            if (cb.get().attempts() != attempt) {
                channel.setVariable("HUIBO_ERROR", "attempt-mismatch");
                return;
            }
            List<DialString> route = router.route(leg, cb.get());
            if (route == null || route.isEmpty()) {
                channel.setVariable("HUIBO_ERROR", "no-route");
                return;
            }
            // the variables RouteScript sets for a route: HUIBO_DIAL_1..N, HUIBO_DIAL_COUNT, HUIBO_RING_TIMEOUT
            for (int i = 0; i < route.size(); i++) {
                channel.setVariable("HUIBO_DIAL_" + (i + 1), route.get(i).value());
            }
            channel.setVariable("HUIBO_DIAL_COUNT", Integer.toString(route.size()));
            channel.setVariable("HUIBO_RING_TIMEOUT", ring);
        }
    }
}
