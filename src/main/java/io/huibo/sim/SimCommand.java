package io.huibo.sim;

import io.huibo.sim.dialplan.DialplanException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code huibo sim}: runs N simulated Asterisk 20 nodes (AMI + FastAGI client) until killed. */
@Command(name = "sim", mixinStandardHelpOptions = true,
    description = "PBX simulator: plays one or more Asterisk 20 nodes over real AMI/FastAGI.")
public final class SimCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1", description = "number of nodes (default ${DEFAULT-VALUE})")
    int nodes;
    @Option(names = "--base-port", defaultValue = "5038", description = "AMI port of sim1; node i listens on P+i-1")
    int basePort;
    @Option(names = "--bind", defaultValue = "127.0.0.1")
    String bind;
    @Option(names = "--user", defaultValue = "huibo")
    String user;
    @Option(names = "--secret", description = "AMI secret (or env HUIBO_SIM_SECRET)")
    String secret;
    @Option(names = "--channels", defaultValue = "30", description = "per-node call limit")
    int channels;
    @Option(names = "--scenario", description = "scenario YAML file")
    Path scenario;
    @Option(names = "--control-port", defaultValue = "0", description = "HTTP control API port (0 = off)")
    int controlPort;
    @Option(names = "--agi", description = "host:port of the FastAGI server when the Originate has no HUIBO_AGI")
    String agi;
    @Option(names = "--dialin-agi", description = "host:port of the FastAGI server dial-ins ask (HUIBO_DIALIN_AGI; default: --agi)")
    String dialinAgi;
    @Option(names = "--dialplan", description = "extensions file the nodes run instead of the bundled dialplan/huibo.conf")
    Path dialplan;
    @Option(names = "--manager-conf", description = "manager.conf whose [--user] section applies as on a real node: "
        + "eventfilter and read to AMI events, write to the actions it may run (e.g. asterisk-conf/manager.conf)")
    Path managerConf;
    @Option(names = "--tls-cert", description = "PEM certificate: AMI over TLS only, as Asterisk's tlsenable (with --tls-key)")
    Path tlsCert;
    @Option(names = "--tls-key", description = "PEM private key of --tls-cert")
    Path tlsKey;

    @Override
    public Integer call() throws Exception {
        String s = secret != null ? secret : System.getenv("HUIBO_SIM_SECRET");
        if (s == null || s.isEmpty()) {
            System.err.println("sim: --secret or HUIBO_SIM_SECRET is required");
            return 2;
        }
        Scenario sc = scenario == null ? Scenario.empty() : Scenario.load(scenario);
        EventFilter filter = EventFilter.NONE;
        if (managerConf != null) {
            try {
                filter = EventFilter.load(managerConf, user);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("sim: --manager-conf: " + (e instanceof IOException ? "cannot read " : "") + e.getMessage());
                return 2;
            }
        }
        if (dialplan != null) {
            try {
                DialplanFiles.load(dialplan);
            } catch (IOException e) {
                System.err.println("sim: --dialplan: cannot read " + e.getMessage());
                return 2;
            } catch (DialplanException e) {
                System.err.println("sim: --dialplan: " + e.getMessage());
                return 2;
            }
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            System.err.println("sim: --tls-cert and --tls-key go together");
            return 2;
        }
        Simulator sim = new Simulator(new Simulator.Options(nodes, basePort, bind, user, s, channels, sc,
            controlPort, agi, dialinAgi, filter, dialplan, tlsCert, tlsKey));
        try {
            sim.start();
        } catch (Exception e) {
            System.err.println("sim: cannot start: " + e.getMessage());
            sim.close();
            return 1;
        }
        for (int i = 1; i <= nodes; i++) {
            System.out.println("sim" + i + " AMI listening on " + bind + ":" + sim.amiPort(i));
        }
        if (sim.controlPort() > 0) {
            System.out.println("sim control API on http://" + bind + ":" + sim.controlPort());
        }
        System.out.println("sim ready");
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM runs shutdown hooks: stop cleanly, then let the JVM exit.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "sim-shutdown"));
        stopped.await();
        return 0;
    }
}
