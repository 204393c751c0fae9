package io.huibo.bench;

import io.huibo.agi.AgiAllowlist;
import io.huibo.agi.AgiScript;
import io.huibo.agi.AgiScripts;
import io.huibo.agi.AgiSession;
import io.huibo.agi.FastAgiServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One FastAGI session against Huibo's {@link FastAgiServer} in this JVM, over loopback: the
 * Asterisk 20 environment (25 lines) parsed, the script found by name, three SET VARIABLE commands
 * answered, the session closed. The script does no lookup, so this is the server's own path
 * (environment parsing, command/reply handling) plus the kernel's loopback work.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AgiSessionBench {
    private Vertx vertx;
    private FastAgiServer server;
    private int port;
    private byte[] env;
    private final byte[] buf = new byte[4096];

    /** Sets the three variables the route script sets on success. */
    static final class Fixed implements AgiScript {
        @Override
        public String name() {
            return "route";
        }

        @Override
        public Future<Void> run(AgiSession session) {
            return session.setVariable("HUIBO_DIAL_1", "PJSIP/+4930000001@trunk")
                    .compose(v -> session.setVariable("HUIBO_DIAL_COUNT", "1"))
                    .compose(v -> session.setVariable("HUIBO_RING_TIMEOUT", "30"));
        }
    }

    @Setup
    public void setup() throws Exception {
        vertx = Vertx.vertx();
        server = new FastAgiServer(vertx, "127.0.0.1", 0, AgiAllowlist.of(List.of(), true), Duration.ofSeconds(10),
                AgiScripts.of(new Fixed()));
        port = server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        env = ("agi_network: yes\nagi_network_script: route?leg=a\nagi_request: agi://127.0.0.1/route?leg=a\n"
                + "agi_channel: Local/s@huibo-leg-a-00000006;2\nagi_language: en\nagi_type: Local\n"
                + "agi_uniqueid: 1795629987.21\nagi_version: 20.20.1\nagi_callerid: unknown\n"
                + "agi_calleridname: unknown\nagi_callingpres: 67\nagi_callingani2: 0\nagi_callington: 0\n"
                + "agi_callingtns: 0\nagi_dnid: unknown\nagi_rdnis: unknown\nagi_context: huibo-leg-a\n"
                + "agi_extension: s\nagi_priority: 2\nagi_enhanced: 0.0\nagi_accountcode: \n"
                + "agi_threadid: 140101586937536\nagi_arg_1: 01JBENCHAAAAAAAAAAAAAAAAAA\nagi_arg_2: 1\n\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public int session() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(env);
            int commands = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        commands++;
                        out.write("200 result=1\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
            return commands;
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
