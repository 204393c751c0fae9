package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Node faults through the control API: slow, silent + resume, kill + start with a live call, cut AMI, many nodes. */
class SimNodeControlIT {
    private static TestAgi agi;
    private static Simulator sim;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        agi = new TestAgi();
        sim = new Simulator(new Simulator.Options(8, 0, "127.0.0.1", "huibo", "ctl-secret", 5,
            Scenario.parse("numbers:\n  \"4002\": {talk: 30s, answerAfter: 50ms}\n  \"4001\": {answerAfter: 50ms}\n"
                + "  \"4003\": {talk: 30s, answerAfter: 900ms}\n"),
            0, agi.address())).withControlApi().start();
    }

    @AfterAll
    static void stop() throws Exception {
        sim.close();
        agi.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + path))
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Connects and logs in with plain Secret; returns the socket with banner and login packets consumed. */
    private static Socket login(int node) throws IOException {
        Socket s = new Socket("127.0.0.1", sim.amiPort(node));
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        assertThat(SimAmiIT.readLine(in)).isEqualTo("Asterisk Call Manager/9.0.0");
        send(s, "Action: Login\r\nUsername: huibo\r\nSecret: ctl-secret\r\nActionID: l\r\n\r\n");
        assertThat(SimAmiIT.readPacket(in)).contains("Message: Authentication accepted");
        SimAmiIT.readPacket(in); // FullyBooted
        SimAmiIT.readPacket(in); // SuccessfulAuth
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    /** Reads packets until one with this ActionID that is a response (events of calls may come between). */
    private static List<String> response(Socket s, String id) throws IOException {
        while (true) {
            List<String> p = SimAmiIT.readPacket(s.getInputStream());
            if (p.contains("ActionID: " + id) && p.get(0).startsWith("Response:")) {
                return p;
            }
        }
    }

    @Test
    void manyNodesInOneProcess() throws Exception {
        JsonArray nodes = new JsonArray(get("/nodes"));
        assertThat(nodes.size()).isEqualTo(8);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            assertThat(nodes.getJsonObject(i).getString("id")).isEqualTo("sim" + (i + 1));
            ports.add(nodes.getJsonObject(i).getInteger("amiPort"));
        }
        assertThat(ports).hasSize(8);
        // Nodes share the simulator's event loops: eight nodes add no thread of their own.
        long vertxThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("vert.x-eventloop")).count();
        assertThat(vertxThreads).isLessThanOrEqualTo(3L * 2 * Runtime.getRuntime().availableProcessors());
    }

    @Test
    void slowNodeDelaysResponsesInOrder() throws Exception {
        try (Socket s = login(3)) {
            assertThat(post("/nodes/sim3/slow", "{\"delayMs\":800}").statusCode()).isEqualTo(200);
            assertThat(new JsonArray(get("/nodes")).getJsonObject(2).getLong("delayMs")).isEqualTo(800);
            long t0 = System.nanoTime();
            send(s, "Action: Ping\r\nActionID: p1\r\n\r\nAction: Ping\r\nActionID: p2\r\n\r\n");
            Thread.sleep(100);
            // Restoring speed does not let later packets overtake the held ones.
            assertThat(post("/nodes/sim3/slow", "{\"delayMs\":0}").statusCode()).isEqualTo(200);
            send(s, "Action: Ping\r\nActionID: p3\r\n\r\n");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("ActionID: p1");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("ActionID: p2");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("ActionID: p3");
            assertThat(ms).isBetween(700L, 3000L);
            long t1 = System.nanoTime();
            send(s, "Action: Ping\r\nActionID: p4\r\n\r\n");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("ActionID: p4");
            assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(500L);
            assertThat(post("/nodes/sim3/slow", "{\"delayMs\":\"x\"}").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void silentNodeKeepsSocketsOpenAndAnswersNothingUntilResumed() throws Exception {
        try (Socket s = login(4)) {
            assertThat(post("/nodes/sim4/silent", "").statusCode()).isEqualTo(200);
            send(s, "Action: Ping\r\nActionID: quiet\r\n\r\n");
            // Nothing comes back, and the socket is not closed either (a close would be EOF, not a timeout).
            s.setSoTimeout(1000);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            // No events: a dial-in on the silent node runs but shows nothing on AMI.
            JsonObject r = new JsonObject(post("/dialin", "{\"node\":\"sim4\",\"caller\":\"1001\",\"access\":\"5000\"}").body());
            assertThat(r.getString("result")).isEqualTo("busy");
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            // A new connection gets no banner while silent.
            try (Socket late = new Socket("127.0.0.1", sim.amiPort(4))) {
                late.setSoTimeout(500);
                assertThatThrownBy(() -> late.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                assertThat(new JsonArray(get("/nodes")).getJsonObject(3).getBoolean("silent")).isTrue();

                assertThat(post("/nodes/sim4/resume", "").statusCode()).isEqualTo(200);
                // The same socket is read again: the Ping sent during the silence is answered now.
                s.setSoTimeout(5000);
                assertThat(response(s, "quiet")).contains("Ping: Pong");
                late.setSoTimeout(5000);
                assertThat(SimAmiIT.readLine(late.getInputStream())).isEqualTo("Asterisk Call Manager/9.0.0");
            }
        }
    }

    @Test
    void killedNodeLosesItsLiveCallsAndComesBackEmpty() throws Exception {
        Socket s = login(5);
        send(s, "Action: Originate\r\nChannel: Local/s@huibo-leg-a\r\nContext: huibo-connect\r\nExten: s\r\n"
            + "Priority: 1\r\nAsync: true\r\nTimeout: 5000\r\nChannelId: hb-kill-1\r\n"
            + "Variable: HUIBO_CALLBACK=4001-4002\r\nVariable: HUIBO_ATTEMPT=1\r\nVariable: HUIBO_AGI=" + agi.address()
            + "\r\nActionID: o1\r\n\r\n");
        assertThat(response(s, "o1")).contains("Response: Success");
        // Leg B talks for 30 s: wait until it is bridged.
        await().atMost(Duration.ofSeconds(5)).until(() -> new JsonArray(get("/calls")).stream().map(JsonObject.class::cast)
            .anyMatch(c -> "hb-kill-1".equals(c.getString("channelId")) && "answered".equals(c.getString("legBOutcome"))));
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + "/channels/hb-kill-1"))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(new JsonArray(get("/nodes")).getJsonObject(4).getInteger("active")).isEqualTo(1);

        assertThat(post("/nodes/sim5/kill", "").statusCode()).isEqualTo(200);
        // Asterisk died: the AMI socket reaches EOF without any Hangup event, the port refuses.
        List<String> seen = new java.util.ArrayList<>();
        InputStream in = s.getInputStream();
        try {
            while (true) {
                seen.addAll(SimAmiIT.readPacket(in));
            }
        } catch (IOException eof) {
            // expected: connection closed
        }
        assertThat(seen).doesNotContain("Event: Hangup");
        s.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", sim.amiPort(5)).close()).isInstanceOf(IOException.class);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + "/channels/hb-kill-1"))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        JsonObject call = new JsonArray(get("/calls")).stream().map(JsonObject.class::cast)
            .filter(c -> "hb-kill-1".equals(c.getString("channelId"))).findFirst().orElseThrow();
        assertThat(call.getBoolean("live")).isFalse();
        assertThat(call.getString("outcome")).isEqualTo("answered");
        assertThat(call.getString("legBOutcome")).isEqualTo("answered");
        assertThat(call.getBoolean("dropped")).isTrue();
        assertThat(call.getString("endedAt")).isNotNull();
        JsonObject node = new JsonArray(get("/nodes")).getJsonObject(4);
        assertThat(node.getBoolean("listening")).isFalse();
        assertThat(node.getInteger("active")).isZero();
        assertThat(node.getInteger("peak")).isEqualTo(1);
        assertThat(post("/dialin", "{\"node\":\"sim5\",\"caller\":\"1001\",\"access\":\"5000\"}").statusCode()).isEqualTo(503);

        assertThat(post("/nodes/sim5/start", "").statusCode()).isEqualTo(200);
        try (Socket again = login(5)) {
            send(again, "Action: CoreShowChannels\r\nActionID: c1\r\n\r\n");
            assertThat(response(again, "c1")).contains("EventList: start");
            List<String> done;
            do {
                done = SimAmiIT.readPacket(again.getInputStream());
            } while (!done.contains("Event: CoreShowChannelsComplete"));
            assertThat(done).contains("ListItems: 0");
        }
    }

    private static JsonObject call(String channelId) throws Exception {
        return new JsonArray(get("/calls")).stream().map(JsonObject.class::cast)
            .filter(c -> channelId.equals(c.getString("channelId"))).findFirst().orElse(null);
    }

    @Test
    void cutAmiClosesTheSocketsWhileTheCallGoesOnAndAReloginSeesIt() throws Exception {
        Socket s = login(6);
        send(s, "Action: Originate\r\nChannel: Local/s@huibo-leg-a\r\nContext: huibo-connect\r\nExten: s\r\n"
            + "Priority: 1\r\nAsync: true\r\nTimeout: 5000\r\nChannelId: hb-cut-1\r\n"
            + "Variable: HUIBO_CALLBACK=4001-4003\r\nVariable: HUIBO_ATTEMPT=1\r\nVariable: HUIBO_AGI=" + agi.address()
            + "\r\nActionID: o1\r\n\r\n");
        assertThat(response(s, "o1")).contains("Response: Success");
        await().atMost(Duration.ofSeconds(5)).until(() -> "answered".equals(call("hb-cut-1").getString("outcome")));
        assertThat(call("hb-cut-1").getString("legBOutcome")).isNull();

        assertThat(post("/nodes/sim6/cut-ami", "{\"forMs\":2500}").statusCode()).isEqualTo(200);
        InputStream in = s.getInputStream();
        assertThatThrownBy(() -> {
            while (true) {
                SimAmiIT.readPacket(in);
            }
        }).isInstanceOf(IOException.class);
        s.close();
        // During the cut a new connection is closed before the banner.
        try (Socket early = new Socket("127.0.0.1", sim.amiPort(6))) {
            early.setSoTimeout(2000);
            assertThat(early.getInputStream().read()).isEqualTo(-1);
        }
        // Leg B answers while nobody is connected (TestAgi rings it 1 s; it answers after 0.9 s): the call went on.
        await().atMost(Duration.ofSeconds(5)).until(() -> "answered".equals(call("hb-cut-1").getString("legBOutcome")));
        assertThat(call("hb-cut-1").getBoolean("live")).isTrue();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .until(() -> {
                login(6).close();
                return true;
            });
        try (Socket again = login(6)) {
            send(again, "Action: CoreShowChannels\r\nActionID: c1\r\n\r\n");
            assertThat(response(again, "c1")).contains("EventList: start");
            List<List<String>> channels = new java.util.ArrayList<>();
            List<String> p;
            while (!(p = SimAmiIT.readPacket(again.getInputStream())).contains("Event: CoreShowChannelsComplete")) {
                if (p.contains("Event: CoreShowChannel")) {
                    channels.add(p);
                }
            }
            assertThat(p).contains("ListItems: 4");
            List<String> originated = channels.stream().filter(c -> c.contains("Uniqueid: hb-cut-1")).findFirst().orElseThrow();
            assertThat(originated).contains("ChannelState: 6").noneMatch(h -> h.equals("BridgeId: "));
        }
    }

    @Test
    void astDbSurvivesAKilledAndRestartedNode() throws Exception {
        try (Socket s = login(7)) {
            send(s, "Action: DBPut\r\nActionID: p\r\nFamily: huibo\r\nKey: 20261202/KILL-1/a\r\nVal: ANSWER\r\n\r\n");
            assertThat(response(s, "p")).contains("Response: Success");
        }
        assertThat(post("/nodes/sim7/kill", "").statusCode()).isEqualTo(200);
        assertThat(post("/nodes/sim7/start", "").statusCode()).isEqualTo(200);
        try (Socket s = login(7)) {
            send(s, "Action: DBGet\r\nActionID: g\r\nFamily: huibo\r\nKey: 20261202/KILL-1/a\r\n\r\n");
            assertThat(response(s, "g")).contains("Response: Success", "Message: Result will follow");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("Val: ANSWER");
        }
    }

    @Test
    void callsListsAnOriginateTheNodeCouldNotPlace() throws Exception {
        try (Socket s = login(8)) {
            send(s, "Action: Originate\r\nChannel: Foo/bar\r\nContext: huibo-connect\r\nExten: s\r\nPriority: 1\r\n"
                + "Async: true\r\nChannelId: hb-unplaced-1\r\nVariable: HUIBO_CALLBACK=CB9\r\nVariable: HUIBO_ATTEMPT=2\r\n"
                + "Variable: HUIBO_MEMO=20261202/CB9-2\r\nActionID: o\r\n\r\n");
            assertThat(response(s, "o")).contains("Response: Success");
        }
        JsonObject c = await().atMost(Duration.ofSeconds(3)).until(() -> call("hb-unplaced-1"), java.util.Objects::nonNull);
        assertThat(c.getString("node")).isEqualTo("sim8");
        assertThat(c.getString("callbackId")).isEqualTo("CB9");
        assertThat(c.getString("attempt")).isEqualTo("2");
        assertThat(c.getString("outcome")).isEqualTo("failed");
        assertThat(c.getBoolean("placed")).isFalse();
        assertThat(c.getBoolean("live")).isFalse();
        assertThat(c.getJsonObject("variables").getString("HUIBO_MEMO")).isEqualTo("20261202/CB9-2");
    }
}
