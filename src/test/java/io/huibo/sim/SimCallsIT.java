package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;
import org.asteriskjava.manager.action.CoreShowChannelsAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.event.CoreShowChannelEvent;
import org.asteriskjava.manager.event.DialEndEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.OriginateResponseEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * asterisk-java 3.41.0 against the sim, with a tiny FastAGI responder: the callback id "A-B" makes the
 * responder dial PJSIP/A@trunk for leg a and PJSIP/B@trunk for leg b (ring timeout 1 s).
 */
class SimCallsIT {
    private static Vertx agiVertx;
    private static int agiPort;
    private static Simulator sim;
    private static ManagerConnection ami;
    private static long loginMillis;
    private static final ConcurrentLinkedQueue<ManagerEvent> events = new ConcurrentLinkedQueue<>();
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        agiVertx = Vertx.vertx();
        NetServer agi = agiVertx.createNetServer().connectHandler(sock -> {
            Map<String, String> env = new HashMap<>();
            int[] replies = {0};
            RecordParser p = RecordParser.newDelimited("\n", line -> {
                String l = line.toString();
                if (l.startsWith("200 ")) {
                    if (++replies[0] == 2) {
                        sock.close();
                    }
                    return;
                }
                if (!l.isEmpty()) {
                    int c = l.indexOf(": ");
                    env.put(l.substring(0, c), l.substring(c + 2));
                    return;
                }
                String[] numbers = env.getOrDefault("agi_arg_1", "x-x").split("-");
                String n = env.get("agi_network_script").endsWith("leg=a") ? numbers[0] : numbers[1];
                sock.write("SET VARIABLE HUIBO_DIAL \"PJSIP/" + n + "@trunk\"\nSET VARIABLE HUIBO_RING_TIMEOUT \"1\"\n");
            });
            sock.handler(p);
        });
        agiPort = agi.listen(0, "127.0.0.1").await().actualPort();
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "test-secret", 4,
            Scenario.parse("numbers:\n  \"2002\":\n    talk: 1500ms\n    answerAfter: 100ms\n"), 0, "127.0.0.1:1"))
            .withControlApi().start();
        ami = new ManagerConnectionFactory("127.0.0.1", sim.amiPort(1), "huibo", "test-secret").createManagerConnection();
        long t0 = System.nanoTime();
        ami.login();
        loginMillis = (System.nanoTime() - t0) / 1_000_000;
        ami.addEventListener(events::add);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ami != null) {
            ami.logoff();
        }
        sim.close();
        agiVertx.close().await();
    }

    private static void originate(String channelId, String callbackId, long timeoutMs) throws Exception {
        OriginateAction o = new OriginateAction();
        o.setChannel("Local/s@huibo-leg-a");
        o.setContext("huibo-connect");
        o.setExten("s");
        o.setPriority(1);
        o.setTimeout(timeoutMs);
        o.setAsync(true);
        o.setChannelId(channelId);
        o.setVariable("HUIBO_CALLBACK", callbackId);
        o.setVariable("HUIBO_ATTEMPT", "1");
        o.setVariable("HUIBO_AGI", "127.0.0.1:" + agiPort);
        assertThat(ami.sendAction(o, 3000).getResponse()).isEqualTo("Success");
    }

    private static <T extends ManagerEvent> Optional<T> find(Class<T> type, java.util.function.Predicate<T> p) {
        return events.stream().filter(type::isInstance).map(type::cast).filter(p).findFirst();
    }

    private static OriginateResponseEvent originateResponse(String id) {
        return await().atMost(Duration.ofSeconds(5)).until(
            () -> find(OriginateResponseEvent.class, e -> id.equals(e.getUniqueId())), Optional::isPresent).get();
    }

    private static HangupEvent hangup(String id) {
        return await().atMost(Duration.ofSeconds(8)).until(
            () -> find(HangupEvent.class, e -> id.equals(e.getUniqueId())), Optional::isPresent).get();
    }

    private static String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int status(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void asteriskJavaLogsInFast() {
        assertThat(loginMillis).isLessThan(2000);
    }

    @Test
    void outcomesOfLegAAndLegB() throws Exception {
        originate("hb-ans-1", "1001-2002", 5000);
        originate("hb-busy-1", "1007-2002", 5000);
        originate("hb-noans-1", "1008-2002", 1500);
        originate("hb-cong-1", "1009-2002", 5000);

        assertThat(originateResponse("hb-ans-1").getReason()).isEqualTo(4);
        assertThat(originateResponse("hb-busy-1").getReason()).isEqualTo(5);
        assertThat(originateResponse("hb-cong-1").getReason()).isEqualTo(8);
        assertThat(originateResponse("hb-noans-1").getReason()).isEqualTo(3);

        // The answered call is live while B talks: CoreShowChannels lists it by its ChannelId.
        await().atMost(Duration.ofSeconds(3)).until(() -> find(DialEndEvent.class,
            e -> "hb-ans-1".equals(e.getUniqueId()) && "ANSWER".equals(e.getDialStatus())).isPresent());
        List<ManagerEvent> listed = ami.sendEventGeneratingAction(new CoreShowChannelsAction(), 3000).getEvents().stream().map(ManagerEvent.class::cast).toList();
        assertThat(listed).filteredOn(CoreShowChannelEvent.class::isInstance)
            .extracting(e -> ((CoreShowChannelEvent) e).getUniqueid()).contains("hb-ans-1", "hb-ans-1;2");
        assertThat(get("/channels/hb-ans-1")).contains("sim1");

        assertThat(hangup("hb-busy-1").getCause()).isEqualTo(17);
        assertThat(hangup("hb-cong-1").getCause()).isEqualTo(34);
        assertThat(hangup("hb-noans-1").getCause()).isEqualTo(19);
        assertThat(hangup("hb-ans-1").getCause()).isEqualTo(16);
        assertThat(status("GET", "/channels/hb-ans-1")).isEqualTo(404);

        // The B leg's DialBegin/DialEnd: caller uniqueid is the ChannelId, B has its own uniqueid linked to it.
        DialEndEvent bEnd = find(DialEndEvent.class, e -> "hb-ans-1".equals(e.getUniqueId())
            && e.getDestChannel() != null && e.getDestChannel().startsWith("PJSIP/trunk-")).orElseThrow();
        assertThat(bEnd.getDialStatus()).isEqualTo("ANSWER");
        assertThat(bEnd.getDestLinkedId()).isEqualTo("hb-ans-1");
        assertThat(bEnd.getDestUniqueId()).matches("\\d+\\.\\d+");

        JsonArray calls = new JsonArray(get("/calls"));
        assertThat(calls.stream().map(o -> (io.vertx.core.json.JsonObject) o)
            .filter(c -> "hb-ans-1".equals(c.getString("channelId"))).findFirst().orElseThrow().getString("legBOutcome"))
            .isEqualTo("answered");
    }

    @Test
    void legBBusyAndNoAnswer() throws Exception {
        originate("hb-bbusy-1", "1001-2007", 5000);
        originate("hb-bnoans-1", "1001-2008", 5000);
        assertThat(originateResponse("hb-bbusy-1").getReason()).isEqualTo(4);
        assertThat(originateResponse("hb-bnoans-1").getReason()).isEqualTo(4);
        assertThat(hangup("hb-bbusy-1").getCause()).isEqualTo(17);
        assertThat(hangup("hb-bnoans-1").getCause()).isEqualTo(16);
        assertThat(find(DialEndEvent.class, e -> "hb-bbusy-1".equals(e.getUniqueId())).orElseThrow().getDialStatus())
            .isEqualTo("BUSY");
        assertThat(find(DialEndEvent.class, e -> "hb-bnoans-1".equals(e.getUniqueId())).orElseThrow().getDialStatus())
            .isEqualTo("NOANSWER");
    }

    @Test
    void channelLimitPeakAndControlApi() throws Exception {
        try (Simulator small = new Simulator(new Simulator.Options(2, 0, "127.0.0.1", "huibo", "test-secret", 1,
            Scenario.parse("numbers:\n  \"3002\":\n    talk: 1s\n"), 0, null)).withControlApi().start()) {
            ManagerConnection c = new ManagerConnectionFactory("127.0.0.1", small.amiPort(1), "huibo", "test-secret")
                .createManagerConnection();
            ConcurrentLinkedQueue<ManagerEvent> ev = new ConcurrentLinkedQueue<>();
            c.login();
            c.addEventListener(ev::add);
            for (String id : List.of("hb-lim-1", "hb-lim-2")) {
                OriginateAction o = new OriginateAction();
                o.setChannel("Local/s@huibo-leg-a");
                o.setContext("huibo-connect");
                o.setExten("s");
                o.setPriority(1);
                o.setTimeout(5000L);
                o.setAsync(true);
                o.setChannelId(id);
                o.setVariable("HUIBO_CALLBACK", "1001-3002");
                o.setVariable("HUIBO_AGI", "127.0.0.1:" + agiPort);
                c.sendAction(o, 3000);
            }
            OriginateResponseEvent second = await().atMost(Duration.ofSeconds(5)).until(() -> ev.stream()
                .filter(OriginateResponseEvent.class::isInstance).map(OriginateResponseEvent.class::cast)
                .filter(e -> "hb-lim-2".equals(e.getUniqueId())).findFirst(), Optional::isPresent).get();
            assertThat(second.getResponse()).isEqualTo("Failure");
            assertThat(second.getReason()).isEqualTo(0);

            HttpResponse<String> nodes = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + small.controlPort() + "/nodes")).build(), HttpResponse.BodyHandlers.ofString());
            JsonArray arr = new JsonArray(nodes.body());
            assertThat(arr.size()).isEqualTo(2);
            assertThat(arr.getJsonObject(0).getString("id")).isEqualTo("sim1");
            assertThat(arr.getJsonObject(0).getInteger("amiPort")).isEqualTo(small.amiPort(1));
            assertThat(arr.getJsonObject(0).getInteger("peak")).isEqualTo(1);
            assertThat(arr.getJsonObject(0).getInteger("maxChannels")).isEqualTo(1);
            assertThat(arr.getJsonObject(0).getLong("originates")).isEqualTo(2);
            assertThat(arr.getJsonObject(1).getLong("originates")).isZero();

            // kill: the AMI connection drops and the port stops listening; start brings it back.
            int kill = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.controlPort()
                + "/nodes/sim1/kill")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            assertThat(kill).isEqualTo(200);
            assertThat(new JsonArray(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.controlPort()
                + "/nodes")).build(), HttpResponse.BodyHandlers.ofString()).body()).getJsonObject(0).getInteger("active")).isZero();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", small.amiPort(1)).close())
                .isInstanceOf(java.io.IOException.class);
            int start = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.controlPort()
                + "/nodes/sim1/start")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            assertThat(start).isEqualTo(200);
            new java.net.Socket("127.0.0.1", small.amiPort(1)).close();
        }
    }
}
