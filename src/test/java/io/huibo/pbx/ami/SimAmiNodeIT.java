package io.huibo.pbx.ami;

import io.huibo.pbx.*;
import io.huibo.bench.LocalPorts;
import io.huibo.config.NodeConfig;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.sim.SimCommand;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * AmiNode against the project's PBX simulator (io.huibo.sim, started in-process through its picocli
 * command), with a tiny FastAGI responder in the test that hands out the dial strings per callback.
 */
class SimAmiNodeIT {
    private static final String SECRET = "sim-it-secret";
    /** callback id -> {leg A number, leg B number}; the simulator acts by the last digit */
    private static final Map<String, String[]> ROUTES = Map.of(
            "CONNECT", new String[]{"+8613800138001", "+8613800138002"},
            "BBUSY", new String[]{"+8613800138001", "+8613800138007"},
            "ABUSY", new String[]{"+8613800138007", "+8613800138002"},
            "ACONG", new String[]{"+8613800138009", "+8613800138002"});

    private Vertx vertx;
    private ServerSocket agi;
    private Thread simThread;
    private AmiNode node;
    private final Map<String, AttemptResult> results = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        agi = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::agiLoop, "test-fastagi");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        agi.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (simThread != null) {
            simThread.interrupt(); // SimCommand waits on a latch; interrupting ends it
        }
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void outcomesThroughTheSimulator() throws Exception {
        int port = LocalPorts.any();
        simThread = new Thread(() -> new CommandLine(new SimCommand()).execute("--nodes", "1", "--base-port",
                String.valueOf(port), "--user", "huibo", "--secret", SECRET, "--channels", "20"), "test-sim");
        simThread.setDaemon(true);
        simThread.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        node = new AmiNode(vertx, new NodeConfig("sim1", "127.0.0.1", port, "huibo", SECRET, 10),
                Duration.ofSeconds(2));
        node.onAttemptResult(r -> results.put(r.callbackId(), r));
        get(node.start());
        await().atMost(Duration.ofSeconds(20)).until(node::isConnected);

        String agiAddr = "127.0.0.1:" + agi.getLocalPort();
        for (String cb : ROUTES.keySet()) {
            get(node.originate(new OriginateRequest(cb, 1, "hb-" + cb + "-1", "huibo-leg-a", "huibo-connect",
                    Duration.ofSeconds(10), null, List.of(agiAddr), "20261125/" + cb + "-1", false)));
        }
        assertThat(node.active()).isBetween(1, ROUTES.size());
        await().atMost(Duration.ofSeconds(20)).until(() -> results.size() == ROUTES.size());

        assertThat(results.get("CONNECT").outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(results.get("CONNECT").answeredAt()).isNotNull();
        assertThat(results.get("BBUSY").outcome()).isEqualTo(Outcome.BUSY);
        assertThat(results.get("BBUSY").failedLeg()).isEqualTo(Leg.B);
        assertThat(results.get("ABUSY").outcome()).isEqualTo(Outcome.BUSY);
        assertThat(results.get("ABUSY").failedLeg()).isEqualTo(Leg.A);
        assertThat(results.get("ACONG").outcome()).isEqualTo(Outcome.CONGESTION);
        assertThat(results.get("ACONG").failedLeg()).isEqualTo(Leg.A);
        assertThat(node.active()).isZero();
    }

    private void agiLoop() {
        while (!agi.isClosed()) {
            try {
                Socket s = agi.accept();
                Thread t = new Thread(() -> agiSession(s), "test-fastagi-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void agiSession(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            Map<String, String> env = new HashMap<>();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                int c = line.indexOf(": ");
                if (c > 0) {
                    env.put(line.substring(0, c), line.substring(c + 2));
                }
            }
            String[] route = ROUTES.get(env.get("agi_arg_1"));
            if (route == null) {
                return;
            }
            String script = env.getOrDefault("agi_network_script", "");
            String number = script.endsWith("leg=b") ? route[1] : route[0];
            // the dialplan's contract: route answers a failover list, report whether to fail over
            List<String> commands = script.startsWith("report")
                    ? List.of("SET VARIABLE HUIBO_NEXT \"0\"")
                    : List.of("SET VARIABLE HUIBO_DIAL_COUNT \"1\"",
                            "SET VARIABLE HUIBO_DIAL_1 \"PJSIP/" + number + "@trunk\"",
                            "SET VARIABLE HUIBO_RING_TIMEOUT \"5\"");
            for (String cmd : commands) {
                out.write((cmd + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (in.readLine() == null) {
                    return;
                }
            }
        } catch (IOException e) {
            // the simulator hung up
        }
    }
}
