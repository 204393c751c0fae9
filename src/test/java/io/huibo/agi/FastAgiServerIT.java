package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.routing.DialTemplate;
import io.huibo.routing.StaticRoutes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The FastAGI server over real TCP, with this test playing Asterisk from the recorded traces in
 * /work/shared/asterisk-traces (Asterisk 20.20.1).
 */
class FastAgiServerIT {

    static final Path TRACES = Path.of(System.getProperty("huibo.traces", "/work/shared/asterisk-traces"));

    static Vertx vertx;
    static FastAgiServer server;
    static int port;
    static Trace sessionTrace;
    /** Results reported by the test scripts, by script name. */
    static final Map<String, CompletableFuture<Object>> results = new ConcurrentHashMap<>();
    static final Map<String, AgiRequest> requests = new ConcurrentHashMap<>();

    // ---- traces ----

    /** The {@code <<<}/{@code >>>} form of fastagi-session*.txt. */
    record Trace(List<String> env, List<String[]> dialog) {
        List<String> commands() {
            return dialog.stream().filter(d -> d[0].equals(">>>")).map(d -> d[1]).toList();
        }

        /** Asterisk's reply to the n-th command: the {@code <<<} line right after it. */
        String replyTo(int n) {
            int seen = -1;
            for (int i = 0; i < dialog.size(); i++) {
                if (dialog.get(i)[0].equals(">>>") && ++seen == n) {
                    return dialog.get(i + 1)[1];
                }
            }
            throw new IllegalArgumentException("no command " + n);
        }
    }

    static Trace annotated(String file) throws IOException {
        List<String> env = new ArrayList<>();
        List<String[]> dialog = new ArrayList<>();
        boolean inEnv = true;
        for (String l : Files.readAllLines(TRACES.resolve(file), StandardCharsets.UTF_8)) {
            if (l.startsWith("--- end of agi_*")) {
                inEnv = false;
            } else if (l.startsWith("<<< ") || l.equals("<<<")) {
                String text = l.length() > 4 ? l.substring(4) : "";
                if (inEnv) {
                    env.add(text);
                } else {
                    dialog.add(new String[] {"<<<", text});
                }
            } else if (l.startsWith(">>> ")) {
                dialog.add(new String[] {">>>", l.substring(4)});
            }
        }
        assertThat(env).as("environment of %s", file).isNotEmpty().last().isEqualTo("");
        return new Trace(env, dialog);
    }

    /** A {@code .from-asterisk.raw.txt} file: environment up to the blank line, then the replies. */
    record Raw(String envBytes, List<String> replies) {
    }

    static Raw raw(String file) throws IOException {
        String all = Files.readString(TRACES.resolve(file), StandardCharsets.UTF_8);
        int end = all.indexOf("\n\n");
        assertThat(end).as("blank line in %s", file).isPositive();
        String rest = all.substring(end + 2);
        List<String> replies = new ArrayList<>(List.of(rest.split("\n")));
        replies.removeIf(String::isEmpty);
        return new Raw(all.substring(0, end + 2), replies);
    }

    // ---- the fake Asterisk (blocking socket, test thread) ----

    static final class FakeAsterisk implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        FakeAsterisk(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** One LF-terminated line from the server, or null at EOF. */
        String readLine() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return sb.length() == 0 ? null : sb.toString();
                }
                if (b == '\n') {
                    return sb.toString();
                }
                sb.append((char) b);
            }
        }

        /** True when the server closed the connection (EOF or reset) within the socket timeout. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // connection reset
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ---- test scripts ----

    static AgiScript script(String name, java.util.function.Function<AgiSession, Future<Object>> body) {
        return new AgiScript() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Future<Void> run(AgiSession session) {
                requests.put(name, session.request());
                return body.apply(session).andThen(ar -> {
                    CompletableFuture<Object> f = results.computeIfAbsent(name, k -> new CompletableFuture<>());
                    if (ar.succeeded()) {
                        f.complete(ar.result());
                    } else {
                        f.complete(ar.cause());
                    }
                }).mapEmpty();
            }
        };
    }

    /** Sends the commands one after another, collecting every reply. */
    static Future<Object> sendAll(AgiSession s, List<String> commands) {
        List<AgiReply> replies = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (String c : commands) {
            chain = chain.compose(v -> s.send(c)).map(r -> {
                replies.add(r);
                return null;
            });
        }
        return chain.map(v -> replies);
    }

    static Future<Object> waitForHangup(AgiSession s, int triesLeft) {
        if (s.hungUp() || triesLeft == 0) {
            return Future.succeededFuture();
        }
        Promise<Object> p = Promise.promise();
        vertx.setTimer(10, t -> waitForHangup(s, triesLeft - 1).onComplete(p));
        return p.future();
    }

    @BeforeAll
    static void start() throws Exception {
        sessionTrace = annotated("fastagi-session.txt");
        vertx = Vertx.vertx();
        AgiScripts scripts = AgiScripts.of(
                script("route", s -> sendAll(s, sessionTrace.commands())),
                script("hangup-test", s -> s.send("GET VARIABLE CHANNEL")
                        .compose(first -> waitForHangup(s, 200)
                                .compose(v -> s.send("GET VARIABLE CHANNEL"))
                                .transform(ar -> Future.succeededFuture(List.of(first, ar.failed() ? ar.cause() : ar.result()))))),
                script("dialin", s -> s.getVariable("CALLERID(num)")
                        .compose(num -> s.setVariable("HUIBO_RESULT", "queued").map(v -> (Object) num))),
                script("hangup-mid", s -> s.send("GET VARIABLE X").map(r -> (Object) r)
                        .recover(t -> Future.succeededFuture(List.of(t, s.hungUp())))),
                script("errors", s -> sendAll(s, List.of("STREAM FILE beep \"\"", "SET VARIABLE", "NO SUCH COMMAND"))),
                script("wait", s -> s.send("GET VARIABLE X").map(r -> (Object) r)
                        .recover(t -> Future.succeededFuture(t))));
        server = new FastAgiServer(vertx, "127.0.0.1", 0, AgiAllowlist.fromConfig(List.of(), List.of()),
                Duration.ofSeconds(5), scripts);
        port = server.start().await(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop().await(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    static Object result(String script) throws Exception {
        return results.computeIfAbsent(script, k -> new CompletableFuture<>()).get(5, TimeUnit.SECONDS);
    }

    // ---- tests ----

    @Test
    @SuppressWarnings("unchecked")
    void replaysTheRecordedSessionWithQueryAndArgs() throws Exception {
        Trace t = sessionTrace;
        try (FakeAsterisk ast = new FakeAsterisk(port)) {
            ast.send(String.join("\n", t.env()) + "\n");
            List<String> expected = t.commands();
            for (int i = 0; i < expected.size(); i++) {
                assertThat(ast.readLine()).as("command %d", i).isEqualTo(expected.get(i));
                ast.send(t.replyTo(i) + "\n");
            }
            assertCompletedThenClosed(ast);
        }
        AgiRequest req = requests.get("route");
        assertThat(req.script()).isEqualTo("route");
        assertThat(req.query()).containsExactly(Map.entry("x", "1"));
        assertThat(req.args()).containsExactly("first-arg", "second arg");
        assertThat(req.channel()).isEqualTo("Local/100@callback-test-00000006;1");
        assertThat(req.get("agi_accountcode")).isEmpty();
        assertThat(req.env()).hasSize(t.env().size() - 1);

        List<AgiReply> replies = (List<AgiReply>) result("route");
        assertThat(replies).hasSize(t.commands().size());
        assertThat(replies.get(2).data()).isEqualTo("ok");                 // GET VARIABLE CALLBACK_RESULT
        assertThat(replies.get(3).result()).isZero();                      // unset variable
        assertThat(replies.get(4).data()).isEqualTo("Local/100@callback-test-00000006;1-");
        assertThat(replies.get(5).result()).isEqualTo(6);                  // CHANNEL STATUS
        assertThat(replies.get(6).endpos()).isEqualTo(3520);               // STREAM FILE
        assertThat(replies.get(7).code()).isEqualTo(510);                  // NO SUCH COMMAND
    }

    @Test
    @SuppressWarnings("unchecked")
    void hangupWhileIdleFailsLaterCommands() throws Exception {
        Raw r = raw("fastagi-session-hangup.from-asterisk.raw.txt");
        try (FakeAsterisk ast = new FakeAsterisk(port)) {
            ast.send(r.envBytes());
            assertThat(ast.readLine()).isEqualTo("GET VARIABLE CHANNEL");
            ast.send(r.replies().get(0) + "\n");
            assertThat(r.replies().get(1)).isEqualTo("HANGUP");
            ast.send("HANGUP\n");
            // the script's second command is refused locally: nothing more is sent, the session closes
            assertThat(ast.closedByServer()).isTrue();
        }
        assertThat(requests.get("hangup-test").script()).isEqualTo("hangup-test");
        assertThat(requests.get("hangup-test").args()).isEmpty();
        List<Object> out = (List<Object>) result("hangup-test");
        assertThat(((AgiReply) out.get(0)).data()).isEqualTo("Local/100@callback-test-00000008;1");
        assertThat(out.get(1)).isInstanceOf(AgiHangupException.class);
    }

    @Test
    void dialInTrace() throws Exception {
        Raw r = raw("extra/fastagi-dialin.from-asterisk.raw.txt");
        try (FakeAsterisk ast = new FakeAsterisk(port)) {
            ast.send(r.envBytes());
            assertThat(ast.readLine()).isEqualTo("GET VARIABLE CALLERID(num)");
            ast.send(r.replies().get(0) + "\n");
            assertThat(ast.readLine()).isEqualTo("SET VARIABLE HUIBO_RESULT \"queued\"");
            ast.send(r.replies().get(1) + "\n");
            assertCompletedThenClosed(ast);
        }
        AgiRequest req = requests.get("dialin");
        assertThat(req.query()).containsExactly(Map.entry("access", "5000"));
        assertThat(req.args()).isEmpty();
        assertThat(req.get("agi_calleridname")).isEqualTo("Alice Phone");
        assertThat(req.get("agi_type")).isEqualTo("PJSIP");
        assertThat(result("dialin")).isEqualTo(Optional.of("1001"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void hangupWhileACommandIsPendingFailsIt() throws Exception {
        try (FakeAsterisk ast = new FakeAsterisk(port)) {
            ast.send(env("hangup-mid", true));
            assertThat(ast.readLine()).isEqualTo("GET VARIABLE X");
            ast.send("HANGUP\n200 result=1 (late)\n");
            assertThat(ast.closedByServer()).isTrue();
        }
        List<Object> out = (List<Object>) result("hangup-mid");
        assertThat(out.get(0)).isInstanceOf(AgiHangupException.class);
        assertThat(out.get(1)).isEqualTo(true);
    }

    @Test
    @SuppressWarnings("unchecked")
    void parses511And520MultiLineReplies() throws Exception {
        try (FakeAsterisk ast = new FakeAsterisk(port)) {
            ast.send(env("errors", false)); // CRLF environment is tolerated
            assertThat(ast.readLine()).isEqualTo("STREAM FILE beep \"\"");
            ast.send("511 Command Not Permitted on a dead channel or intercept routine\n");
            assertThat(ast.readLine()).isEqualTo("SET VARIABLE");
            ast.send("520-Invalid command syntax.  Proper usage follows:\r\n"
                    + " Usage: SET VARIABLE <variablename> <value>\n"
                    + "\tSets a variable to the current channel.\n"
                    + "520 End of proper usage.\n");
            assertThat(ast.readLine()).isEqualTo("NO SUCH COMMAND");
            ast.send("510 Invalid or unknown command\n");
            assertCompletedThenClosed(ast);
        }
        List<AgiReply> replies = (List<AgiReply>) result("errors");
        assertThat(replies.get(0).code()).isEqualTo(511);
        assertThat(replies.get(0).isDeadChannel()).isTrue();
        assertThat(replies.get(1).code()).isEqualTo(520);
        assertThat(replies.get(1).text()).startsWith("Invalid command syntax.")
                .contains("Usage: SET VARIABLE <variablename> <value>")
                .contains("Sets a variable")
                .endsWith("End of proper usage.");
        assertThat(replies.get(2).code()).isEqualTo(510);
    }

    @Test
    void unknownScriptGetsAVerboseLineThenClose() throws Exception {
        long before = server.unknownScripts();
        try (FakeAsterisk ast = new FakeAsterisk(port)) {
            ast.send(env("nope", true));
            assertThat(ast.readLine()).isEqualTo("VERBOSE \"Huibo: no AGI script named 'nope'\" 1");
            ast.send("200 result=1\n");
            assertThat(ast.closedByServer()).isTrue();
        }
        assertThat(server.unknownScripts()).isEqualTo(before + 1);
    }

    @Test
    void garbageAndOverlongLinesCloseOnlyThatSession() throws Exception {
        long errors = server.protocolErrors();
        try (FakeAsterisk good = new FakeAsterisk(port);
             FakeAsterisk longLine = new FakeAsterisk(port);
             FakeAsterisk garbage = new FakeAsterisk(port)) {
            good.send(env("wait", true));
            assertThat(good.readLine()).isEqualTo("GET VARIABLE X");
            results.remove("wait");

            longLine.send("agi_network: yes\nagi_x: " + "a".repeat(FastAgiServer.MAX_LINE + 10));
            assertThat(longLine.closedByServer()).isTrue();
            garbage.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(garbage.closedByServer()).isTrue();

            // the other session is untouched and finishes normally
            good.send("200 result=1 (fine)\n");
            assertCompletedThenClosed(good);
        }
        assertThat(((AgiReply) result("wait")).data()).isEqualTo("fine");
        assertThat(server.protocolErrors()).isEqualTo(errors + 2);

        // an over-long reply line in the command phase too
        results.remove("wait");
        try (FakeAsterisk ast = new FakeAsterisk(port)) {
            ast.send(env("wait", true));
            assertThat(ast.readLine()).isEqualTo("GET VARIABLE X");
            ast.send("200 result=1 (" + "b".repeat(9000) + ")\n");
            assertThat(ast.closedByServer()).isTrue();
        }
        assertThat(result("wait")).isInstanceOf(AgiException.class);
    }

    @Test
    void silentPeerIsClosedAfterTheIdleTimeout() throws Exception {
        FastAgiServer quick = new FastAgiServer(vertx, "127.0.0.1", 0, AgiAllowlist.of(List.of(), true),
                Duration.ofMillis(300), AgiScripts.of(script("idle", s -> s.send("GET VARIABLE X")
                        .map(r -> (Object) r).recover(t -> Future.succeededFuture(t)))));
        int p = quick.start().await(5, TimeUnit.SECONDS);
        try (FakeAsterisk ast = new FakeAsterisk(p)) {
            ast.send(env("idle", true));
            assertThat(ast.readLine()).isEqualTo("GET VARIABLE X");
            long t0 = System.nanoTime();
            assertThat(ast.closedByServer()).isTrue(); // we never answer
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).isBetween(150L, 3000L);
        } finally {
            quick.stop().await(5, TimeUnit.SECONDS);
        }
        assertThat(result("idle")).isInstanceOf(AgiException.class);
        assertThat(quick.idleTimeouts()).isEqualTo(1);
    }

    @Test
    void peerNotOnTheAllowlistIsRefused() throws Exception {
        FastAgiServer strict = new FastAgiServer(vertx, "127.0.0.1", 0, AgiAllowlist.of(List.of("192.0.2.0/24"), false),
                Duration.ofSeconds(5), AgiScripts.of(script("strict", s -> Future.succeededFuture("ran"))));
        int p = strict.start().await(5, TimeUnit.SECONDS);
        try (FakeAsterisk ast = new FakeAsterisk(p)) {
            ast.send(env("strict", true));
            assertThat(ast.readLine()).isNull();
        } finally {
            strict.stop().await(5, TimeUnit.SECONDS);
        }
        assertThat(strict.refused()).isEqualTo(1);
        assertThat(strict.accepted()).isZero();
        assertThat(results).doesNotContainKey("strict");
    }

    @Test
    void aPeerAllowedByAReloadIsAcceptedWithoutARestart() throws Exception {
        FastAgiServer strict = new FastAgiServer(vertx, "127.0.0.1", 0, AgiAllowlist.of(List.of("192.0.2.0/24"), false),
                Duration.ofSeconds(5), AgiScripts.of(script("reloaded", s -> Future.succeededFuture("ran"))));
        int p = strict.start().await(5, TimeUnit.SECONDS);
        try {
            try (FakeAsterisk ast = new FakeAsterisk(p)) {
                ast.send(env("reloaded", true));
                assertThat(ast.readLine()).isNull();
            }
            // what Main does when a reload adds a node on this host
            strict.allow(AgiAllowlist.fromConfig(List.of(), List.of("127.0.0.1")));
            try (FakeAsterisk ast = new FakeAsterisk(p)) {
                ast.send(env("reloaded", true));
                assertCompletedThenClosed(ast);
            }
        } finally {
            strict.stop().await(5, TimeUnit.SECONDS);
        }
        assertThat(result("reloaded")).isEqualTo("ran");
        assertThat(strict.refused()).isEqualTo(1);
        assertThat(strict.accepted()).isEqualTo(1);
    }

    @Test
    void twoThousandConcurrentRouteSessions() throws Exception {
        int n = 2000;
        Map<String, Callback> store = new ConcurrentHashMap<>();
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = CallbackIds.next();
            ids.add(id);
            store.put(id, RouteScriptTest.callback(id, String.format("+49301%06d", i), String.format("2%05d", i),
                    CallState.DIALING, 1 + i % 3));
        }
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        // the lookup answers after 300 ms, so all sessions are open at the same time
        CallbackLookup lookup = id -> {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Promise<Optional<Callback>> p = Promise.promise();
            vertx.setTimer(300, t -> {
                inFlight.decrementAndGet();
                p.complete(Optional.ofNullable(store.get(id)));
            });
            return p.future();
        };
        AgiScripts registry = AgiScripts.forHuibo(
                new StaticRoutes(List.of(DialTemplate.parse("PJSIP/{number}@trunk")),
                        List.of(DialTemplate.parse("PJSIP/{number}@agents"))),
                lookup, (id, d) -> Future.failedFuture(new AssertionError("no destination is keyed in here")),
                t -> Future.succeededFuture(), new RouteHandouts(), DialplanConsistencyTest.noDialin(), 30,
                io.huibo.domain.CallerPresentation.none(), java.time.Clock.systemUTC());
        FastAgiServer load = new FastAgiServer(vertx, "127.0.0.1", 0, AgiAllowlist.of(List.of(), true),
                Duration.ofSeconds(10), registry);
        int p = load.start().await(5, TimeUnit.SECONDS);
        NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
        CountDownLatch done = new CountDownLatch(n);
        List<String> wrong = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < n; i++) {
                String id = ids.get(i);
                Callback cb = store.get(id);
                boolean legA = i % 2 == 0;
                String expectedDial = legA ? "PJSIP/" + cb.number() + "@trunk" : "PJSIP/" + cb.destination() + "@agents";
                String env = "agi_network: yes\nagi_network_script: route?leg=" + (legA ? "a" : "b") + "\n"
                        + "agi_request: agi://127.0.0.1:" + p + "/route?leg=" + (legA ? "a" : "b") + "\n"
                        + "agi_channel: Local/s@huibo-leg-a-" + i + ";2\nagi_uniqueid: " + id + "\n"
                        + "agi_arg_1: " + id + "\nagi_arg_2: " + cb.attempts() + "\n\n";
                client.connect(p, "127.0.0.1").onComplete(ar -> {
                    if (ar.failed()) {
                        wrong.add(id + ": connect " + ar.cause());
                        done.countDown();
                        return;
                    }
                    var sock = ar.result();
                    List<String> got = new ArrayList<>();
                    sock.handler(RecordParser.newDelimited("\n", line -> {
                        got.add(line.toString());
                        sock.write("200 result=1\n");
                    }));
                    sock.closeHandler(v -> {
                        // the agent (leg B) is shown the customer's number
                        List<String> expected = legA
                                ? List.of("SET VARIABLE HUIBO_DIAL_1 \"" + expectedDial + "\"",
                                        "SET VARIABLE HUIBO_DIAL_COUNT \"1\"", "SET VARIABLE HUIBO_RING_TIMEOUT \"30\"",
                                        COMPLETED)
                                : List.of("SET VARIABLE HUIBO_DIAL_1 \"" + expectedDial + "\"",
                                        "SET VARIABLE HUIBO_CID \"" + cb.number() + "\"",
                                        "SET VARIABLE HUIBO_DIAL_COUNT \"1\"", "SET VARIABLE HUIBO_RING_TIMEOUT \"30\"",
                                        COMPLETED);
                        if (!got.equals(expected)) {
                            wrong.add(id + ": " + got);
                        }
                        done.countDown();
                    });
                    sock.write(env);
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("all sessions ended").isTrue();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("FastAGI: %d route sessions in %d ms, peak %d concurrent lookups%n", n, ms, peak.get());
            assertThat(wrong).isEmpty();
            assertThat(peak.get()).as("sessions were concurrent").isGreaterThan(n / 4);
            RouteScript rs = registry.get(RouteScript.NAME, RouteScript.class);
            assertThat(rs.count(RouteScript.Decision.ROUTED)).isEqualTo(n);
            assertThat(load.accepted()).isEqualTo(n);
            assertThat(ms).isLessThan(20_000);
        } finally {
            client.close().await(5, TimeUnit.SECONDS);
            load.stop().await(5, TimeUnit.SECONDS);
        }
    }

    /** The last command of a session whose script completed: the dialplan's sign that it ran to its end. */
    static final String COMPLETED = "SET VARIABLE " + FastAgiServer.COMPLETED_VARIABLE + " \"1\"";

    /** A completed script's session: the completion mark, then the server closes. */
    static void assertCompletedThenClosed(FakeAsterisk ast) throws Exception {
        assertThat(ast.readLine()).isEqualTo(COMPLETED);
        ast.send("200 result=1\n");
        assertThat(ast.closedByServer()).isTrue();
    }

    /** A short environment for a script; LF or CRLF line ends. */
    static String env(String script, boolean lf) {
        String nl = lf ? "\n" : "\r\n";
        return "agi_network: yes" + nl + "agi_network_script: " + script + nl
                + "agi_request: agi://127.0.0.1/" + script + nl + "agi_channel: Local/s@test-00000001;2" + nl
                + "agi_arg_1: one" + nl + nl;
    }
}
