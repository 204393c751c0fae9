package io.huibo.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.huibo.sim.dialplan.Dialplan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The whole simulator: its own Vertx, one {@link SimNode} verticle per node and the optional control API.
 * Used by {@link SimCommand} and in-process by the tests.
 */
public final class Simulator implements AutoCloseable {
    /**
     * {@code dialinAgi}: host:port dial-ins ask (the dialplan's HUIBO_DIALIN_AGI); null = {@code agi}.
     * {@code eventFilter}: the AMI user's section of a manager.conf (eventfilter, read); null = none.
     * {@code dialplan}: the extensions file the nodes run; null = the dialplan/huibo.conf bundled in the jar.
     */
    /**
     * @param tlsCert with {@code tlsKey}: PEM files; every node's AMI port then speaks TLS only, as an
     *                Asterisk with {@code tlsenable} on its TLS port; null: plain AMI
     */
    public record Options(int nodes, int basePort, String bind, String user, String secret, int channels,
                          Scenario scenario, int controlPort, String agi, String dialinAgi, EventFilter eventFilter,
                          Path dialplan, Path tlsCert, Path tlsKey) {
        public Options(int nodes, int basePort, String bind, String user, String secret, int channels,
                       Scenario scenario, int controlPort, String agi, String dialinAgi, EventFilter eventFilter,
                       Path dialplan) {
            this(nodes, basePort, bind, user, secret, channels, scenario, controlPort, agi, dialinAgi, eventFilter,
                    dialplan, null, null);
        }

        public Options(int nodes, int basePort, String bind, String user, String secret, int channels,
                       Scenario scenario, int controlPort, String agi, String dialinAgi, EventFilter eventFilter) {
            this(nodes, basePort, bind, user, secret, channels, scenario, controlPort, agi, dialinAgi, eventFilter, null);
        }

        public Options(int nodes, int basePort, String bind, String user, String secret, int channels,
                       Scenario scenario, int controlPort, String agi, String dialinAgi) {
            this(nodes, basePort, bind, user, secret, channels, scenario, controlPort, agi, dialinAgi, null);
        }

        public Options(int nodes, int basePort, String bind, String user, String secret, int channels,
                       Scenario scenario, int controlPort, String agi) {
            this(nodes, basePort, bind, user, secret, channels, scenario, controlPort, agi, null);
        }
    }

    private final Options opts;
    private final Vertx vertx = Vertx.vertx();
    private final CallLog log = new CallLog();
    private final List<SimNode> nodes = new ArrayList<>();
    private HttpServer control;

    public Simulator(Options opts) {
        this.opts = opts;
    }

    /** Starts every node (port 0 = ephemeral ports for all nodes) and the control API; blocks until up. */
    public Simulator start() throws Exception {
        Dialplan dialplan = opts.dialplan() == null ? DialplanFiles.bundled() : DialplanFiles.load(opts.dialplan());
        List<Future<?>> all = new ArrayList<>();
        for (int i = 1; i <= opts.nodes(); i++) {
            int port = opts.basePort() == 0 ? 0 : opts.basePort() + i - 1;
            SimNode n = new SimNode(new SimNode.Config("sim" + i, opts.bind(), port, opts.user(), opts.secret(),
                opts.channels(), opts.scenario(), opts.agi(), opts.dialinAgi() != null ? opts.dialinAgi() : opts.agi(),
                opts.eventFilter() != null ? opts.eventFilter() : EventFilter.NONE, dialplan, opts.tlsCert(),
                opts.tlsKey()), log);
            nodes.add(n);
            all.add(vertx.deployVerticle(n));
        }
        Future.all(all).await();
        if (opts.controlPort() >= 0 && (opts.controlPort() > 0 || controlOnEphemeral)) {
            control = new ControlApi(vertx, this).listen(opts.controlPort(), opts.bind()).await();
        }
        return this;
    }

    private boolean controlOnEphemeral;

    /** For tests: start the control API even with control port 0 (on an ephemeral port). */
    public Simulator withControlApi() {
        this.controlOnEphemeral = true;
        return this;
    }

    public int amiPort(int node) {
        return nodes.get(node - 1).port();
    }

    public int controlPort() {
        return control == null ? -1 : control.actualPort();
    }

    public String bind() {
        return opts.bind();
    }

    List<SimNode> nodes() {
        return nodes;
    }

    Optional<SimNode> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    CallLog calls() {
        return log;
    }

    @Override
    public void close() {
        try {
            vertx.close().await();
        } catch (Exception e) {
            // shutting down anyway
        }
    }
}
