package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * asterisk-java 3.41.0 against the sim, which plays dialplan/huibo.conf against {@link TestAgi}: the callback
 * id "A-B" routes leg A to A and leg B to B (each a ~-list of number[@trunk] for failover), ring timeout 1 s.
 */
class SimCallsIT {
    private static final String SCENARIO = """
        defaults:
          prompt: 50ms
          readTimeout: 300ms
        trunks:
          carrier-bad: congestion
          carrier-down: chanunavail
        numbers:
          "2002": {talk: 1500ms, answerAfter: 100ms}
          "1101": {press: "1", answerAfter: 50ms}
          "1102": {press: "", answerAfter: 50ms}
          "1103": {press: "2", answerAfter: 50ms}
          "1201": {keys: "8613900139000", answerAfter: 50ms}
        """;
    private static TestAgi agi;
    private static int agiPort;
    private static Simulator sim;
    private static ManagerConnection ami;
    private static long loginMillis;
    private static final ConcurrentLinkedQueue<ManagerEvent> events = new ConcurrentLinkedQueue<>();
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        agi = new TestAgi();
        agiPort = Integer.parseInt(agi.address().substring(agi.address().indexOf(':') + 1));
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "test-secret", 20,
            Scenario.parse(SCENARIO), 0, "127.0.0.1:1", agi.address()))
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
        agi.close();
    }

    private static void originate(String channelId, String callbackId, long timeoutMs) throws Exception {
        originate(channelId, callbackId, timeoutMs, false);
    }

    private static void originate(String channelId, String callbackId, long timeoutMs, boolean confirm) throws Exception {
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
        if (confirm) {
            o.setVariable("HUIBO_CONFIRM", "1");
        }
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

    private static JsonObject call(String channelId) throws Exception {
        return new JsonArray(get("/calls")).stream().map(JsonObject.class::cast)
            .filter(c -> channelId.equals(c.getString("channelId"))).findFirst().orElseThrow();
    }

    private static JsonObject endedCall(String channelId) {
        return await().atMost(Duration.ofSeconds(8)).until(() -> call(channelId), c -> !c.getBoolean("live"));
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + path))
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> dialStatuses(String callerUniqueid) {
        return events.stream().filter(DialEndEvent.class::isInstance).map(DialEndEvent.class::cast)
            .filter(e -> callerUniqueid.equals(e.getUniqueId())).map(DialEndEvent::getDialStatus).toList();
    }

    @Test
    void legAFailsOverAfterACongestedTrunkAndReportsEachTry() throws Exception {
        originate("hb-fo-2", "1001@carrier-bad~1001@trunk-2002", 5000);
        assertThat(originateResponse("hb-fo-2").getReason()).isEqualTo(4);
        assertThat(hangup("hb-fo-2").getCause()).isEqualTo(16);
        // Leg A's dials come from the ;2 half: first the bad trunk, then the good one.
        assertThat(dialStatuses("hb-fo-2;2")).containsExactly("CONGESTION", "ANSWER");
        List<java.util.Map<String, String>> reports = agi.find("report?leg=a", "1001@carrier-bad~1001@trunk-2002");
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).containsEntry("agi_arg_2", "1").containsEntry("agi_arg_3", "1")
            .containsEntry("agi_arg_4", "CONGESTION").containsEntry("agi_arg_5", "34")
            .containsEntry("agi_request", "agi://127.0.0.1:" + agiPort + "/report?leg=a")
            .containsEntry("agi_uniqueid", "hb-fo-2;2");
        assertThat(reports.get(0).get("agi_channel")).matches("Local/s@huibo-leg-a-[0-9a-f]{8};2");
        JsonObject c = endedCall("hb-fo-2");
        assertThat(c.getString("kind")).isEqualTo("callback");
        assertThat(c.getInteger("triesA")).isEqualTo(2);
        assertThat(c.getString("outcome")).isEqualTo("answered");
        assertThat(c.getString("legBOutcome")).isEqualTo("answered");
    }

    @Test
    void noFailoverWhenReportSaysNoneAndAfterTheLastRoute() throws Exception {
        // Busy is not a route failure: the report leaves HUIBO_NEXT=0, the second route is never dialed.
        originate("hb-nofo-1", "1007@trunk~1001@trunk-2002", 5000);
        // Both routes congested: both tried, then Congestion(5).
        originate("hb-nofo-2", "1001@carrier-bad~1002@carrier-down-2002", 5000);
        assertThat(originateResponse("hb-nofo-1").getReason()).isEqualTo(5);
        assertThat(originateResponse("hb-nofo-2").getReason()).isEqualTo(8);
        assertThat(hangup("hb-nofo-1").getCause()).isEqualTo(17);
        assertThat(hangup("hb-nofo-2").getCause()).isEqualTo(34);
        assertThat(dialStatuses("hb-nofo-1;2")).containsExactly("BUSY");
        assertThat(endedCall("hb-nofo-1").getInteger("triesA")).isEqualTo(1);
        assertThat(endedCall("hb-nofo-2").getInteger("triesA")).isEqualTo(2);
        // CHANUNAVAIL: no callee channel at all, reported with cause 3 as chan_pjsip does.
        assertThat(agi.find("report?leg=a", "1001@carrier-bad~1002@carrier-down-2002"))
            .extracting(e -> e.get("agi_arg_3") + ":" + e.get("agi_arg_4") + ":" + e.get("agi_arg_5"))
            .containsExactlyInAnyOrder("1:CONGESTION:34", "2:CHANUNAVAIL:3");
    }

    @Test
    void legBFailsOverToo() throws Exception {
        originate("hb-fob-1", "1001-2002@carrier-down~2002@trunk", 5000);
        assertThat(originateResponse("hb-fob-1").getReason()).isEqualTo(4);
        JsonObject c = endedCall("hb-fob-1");
        assertThat(c.getInteger("triesB")).isEqualTo(2);
        assertThat(c.getString("legBOutcome")).isEqualTo("answered");
        assertThat(agi.find("report?leg=b", "1001-2002@carrier-down~2002@trunk")).singleElement()
            .satisfies(e -> assertThat(e).containsEntry("agi_arg_4", "CHANUNAVAIL").containsEntry("agi_uniqueid", "hb-fob-1")
                // AGI() runs inside Gosub(huibo-agi,...), so Asterisk reports that context
                .containsEntry("agi_context", "huibo-agi"));
        assertThat(dialStatuses("hb-fob-1")).contains("ANSWER");
    }

    @Test
    void confirmationPressedAndNotPressed() throws Exception {
        originate("hb-conf-yes", "1101-2002", 5000, true);
        originate("hb-conf-none", "1102-2002", 5000, true);
        originate("hb-conf-two", "1103-2002", 5000, true);
        for (String id : List.of("hb-conf-yes", "hb-conf-none", "hb-conf-two")) {
            assertThat(originateResponse(id).getReason()).isEqualTo(4);
        }
        assertThat(hangup("hb-conf-none").getCause()).isEqualTo(19);
        assertThat(hangup("hb-conf-two").getCause()).isEqualTo(19);
        assertThat(hangup("hb-conf-yes").getCause()).isEqualTo(16);
        assertThat(endedCall("hb-conf-yes").getString("legBOutcome")).isEqualTo("answered");
        assertThat(endedCall("hb-conf-none").getString("legBOutcome")).isEqualTo("unconfirmed");
        // Not confirmed: leg B is never asked for.
        assertThat(agi.find("route?leg=b", "1102-2002")).isEmpty();
        assertThat(agi.find("route?leg=b", "1103-2002")).isEmpty();
        assertThat(agi.find("route?leg=b", "1101-2002")).hasSize(1);
        // The key is read only after the prompt: DIGIT VarSet follows the Playback.
        List<String> apps = events.stream().filter(org.asteriskjava.manager.event.NewExtenEvent.class::isInstance)
            .map(org.asteriskjava.manager.event.NewExtenEvent.class::cast).filter(e -> "hb-conf-yes".equals(e.getUniqueId()))
            .map(org.asteriskjava.manager.event.NewExtenEvent::getApplication).toList();
        assertThat(apps).containsSubsequence("Playback", "Read", "AGI", "Dial");
    }

    @Test
    void collectedDigitsReachTheAgiAsArg3() throws Exception {
        originate("hb-coll-1", "1201-collect", 5000);
        assertThat(originateResponse("hb-coll-1").getReason()).isEqualTo(4);
        JsonObject c = endedCall("hb-coll-1");
        assertThat(c.getString("collected")).isEqualTo("8613900139000");
        assertThat(c.getString("legB")).isEqualTo("8613900139000");
        assertThat(agi.find("route?leg=b&collected=1", "1201-collect")).singleElement().satisfies(e -> assertThat(e)
            .containsEntry("agi_arg_2", "1").containsEntry("agi_arg_3", "8613900139000")
            .containsEntry("agi_network_script", "route?leg=b&collected=1"));
    }

    @Test
    void withoutCallerIdEachLegIsShownTheLocalChannelsExtension() throws Exception {
        originate("hb-shown-1", "1001-2002", 5000);
        JsonObject c = endedCall("hb-shown-1");
        assertThat(c.getString("legBOutcome")).isEqualTo("answered");
        JsonObject s = new JsonObject().put("num", "s").put("name", "");
        assertThat(c.getJsonObject("shownToA")).isEqualTo(s);
        assertThat(c.getJsonObject("shownToB")).isEqualTo(s);
    }

    @Test
    void eachLegIsShownTheCallerTheRouteNamesAndLegAKeepsItWhenBAnswers() throws Exception {
        // the real dialplan sets CALLERID from HUIBO_CID / HUIBO_CIDNAME before each Dial, and leg B's
        // Dial has option I: leg A gets no connected-line update with leg B's identity
        originate("hb-shown-2", "cid:1001-2002", 5000);
        JsonObject c = endedCall("hb-shown-2");
        assertThat(c.getString("legBOutcome")).isEqualTo("answered");
        assertThat(c.getJsonObject("shownToA")).isEqualTo(new JsonObject().put("num", "+861001").put("name", "Huibo A"));
        assertThat(c.getJsonObject("shownToB")).isEqualTo(new JsonObject().put("num", "+862001").put("name", "Huibo B"));
        assertThat(c.getJsonArray("updatesToA")).isEmpty();
    }

    @Test
    void dialInRegisteredCallerGetsBusyAndIsNeverAnswered() throws Exception {
        HttpResponse<String> r = post("/dialin", "{\"node\":\"sim1\",\"caller\":\"1001\",\"callerName\":\"Alice Phone\",\"access\":\"5000\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject res = new JsonObject(r.body());
        assertThat(res.getString("result")).isEqualTo("busy");
        assertThat(res.getBoolean("answered")).isFalse();
        assertThat(res.getInteger("cause")).isEqualTo(17);
        assertThat(res.getString("huiboResult")).isEqualTo("queued");
        String id = res.getString("channelId");
        java.util.Map<String, String> env = agi.find("dialin", null).stream()
            .filter(e -> id.equals(e.get("agi_uniqueid"))).findFirst().orElseThrow();
        assertThat(env).containsEntry("agi_type", "PJSIP").containsEntry("agi_callerid", "1001")
            .containsEntry("agi_calleridname", "Alice Phone").containsEntry("agi_dnid", "5000")
            .containsEntry("agi_network_script", "dialin?access=5000").containsEntry("agi_context", "huibo-dialin")
            .containsEntry("agi_extension", "5000").containsEntry("agi_callingpres", "0")
            .containsEntry("agi_request", "agi://" + agi.address() + "/dialin?access=5000")
            .doesNotContainKey("agi_arg_1");
        assertThat(env.get("agi_channel")).startsWith("PJSIP/dialin-");
        HangupEvent h = hangup(id);
        assertThat(h.getCause()).isEqualTo(17);
        List<Integer> states = events.stream().filter(org.asteriskjava.manager.event.NewStateEvent.class::isInstance)
            .map(org.asteriskjava.manager.event.NewStateEvent.class::cast).filter(e -> id.equals(e.getUniqueId()))
            .map(org.asteriskjava.manager.event.NewStateEvent::getChannelState).toList();
        assertThat(states).containsExactly(7);
        assertThat(find(org.asteriskjava.manager.event.NewChannelEvent.class, e -> id.equals(e.getUniqueId())).orElseThrow()
            .getChannelState()).isEqualTo(4);
        JsonObject logged = call(id);
        assertThat(logged.getString("kind")).isEqualTo("dialin");
        assertThat(logged.getString("outcome")).isEqualTo("busy");
        assertThat(logged.getBoolean("live")).isFalse();
    }

    @Test
    void dialInUnknownCallerIsRejected() throws Exception {
        JsonObject res = new JsonObject(post("/dialin", "{\"caller\":\"6666\",\"access\":\"5000\"}").body());
        assertThat(res.getString("result")).isEqualTo("rejected");
        assertThat(res.getBoolean("answered")).isFalse();
        assertThat(res.getInteger("cause")).isEqualTo(21);
        assertThat(res.getString("huiboResult")).isEqualTo("refused");
        assertThat(hangup(res.getString("channelId")).getCause()).isEqualTo(21);
    }

    @Test
    void dialInWithPinThenDestination() throws Exception {
        JsonObject ok = new JsonObject(post("/dialin", "{\"caller\":\"2001\",\"access\":\"5001\",\"pin\":\"1234\","
            + "\"keys\":\"8613900139000\"}").body());
        assertThat(ok.getString("result")).isEqualTo("answered");
        assertThat(ok.getBoolean("answered")).isTrue();
        assertThat(ok.getInteger("cause")).isEqualTo(16);
        assertThat(ok.getString("huiboResult")).isEqualTo("queued");
        String id = ok.getString("channelId");
        List<java.util.Map<String, String>> mine = agi.sessions.stream().filter(e -> id.equals(e.get("agi_uniqueid"))).toList();
        assertThat(mine).extracting(e -> e.get("agi_network_script"))
            .containsExactly("dialin?access=5001", "dialin?access=5001&step=pin", "dialin?access=5001&step=destination");
        // the PIN reaches the AGI server only as HUIBO_PIN (GET VARIABLE), never as an argument: Asterisk logs
        // every application's arguments, so an argument would put it in the node's log
        assertThat(mine).allSatisfy(e -> assertThat(e).doesNotContainValue("1234"));
        assertThat(mine.get(2)).containsEntry("agi_arg_1", "8613900139000");

        // Wrong PIN: answered (to read it), then rejected.
        JsonObject bad = new JsonObject(post("/dialin", "{\"caller\":\"2001\",\"access\":\"5001\",\"pin\":\"9999\"}").body());
        assertThat(bad.getString("result")).isEqualTo("rejected");
        assertThat(bad.getBoolean("answered")).isTrue();
        assertThat(bad.getInteger("cause")).isEqualTo(21);

        // Straight to collect, digits from the scenario for this caller... none for 3001: the Read times out.
        JsonObject none = new JsonObject(post("/dialin", "{\"caller\":\"3001\",\"access\":\"5001\"}").body());
        assertThat(none.getString("result")).isEqualTo("rejected");
        assertThat(none.getBoolean("answered")).isTrue();

        // Bad input names the field.
        HttpResponse<String> r = post("/dialin", "{\"caller\":\"1001\",\"access\":\"50&00\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("field")).isEqualTo("access");
        assertThat(post("/dialin", "{\"node\":\"sim9\",\"caller\":\"1001\",\"access\":\"5000\"}").statusCode()).isEqualTo(404);
    }
}
