package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What dialplan/huibo.conf writes to AstDB ([huibo-memo], [huibo-answered], HUIBO_MEMO_PURGE) and its
 * FastAGI fallback over HUIBO_AGI, HUIBO_AGI_2, HUIBO_AGI_3, played by the sim against {@link TestAgi}.
 */
class SimMemoIT {
    private static TestAgi agi;
    private static Simulator sim;
    private static Socket ami;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        agi = new TestAgi();
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "db-secret", 20,
            Scenario.parse("numbers:\n  \"1001\": {answerAfter: 50ms}\n  \"2002\": {talk: 200ms, answerAfter: 50ms}\n"),
            0, null)).withControlApi().start();
        ami = SimAstDbIT.login(sim.amiPort(1));
    }

    @AfterAll
    static void stop() throws Exception {
        ami.close();
        sim.close();
        agi.close();
    }

    /** A port nothing listens on: connecting to it is refused. */
    private static String refusingAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private static void originate(String channelId, String callbackId, String... variables) throws IOException {
        StringBuilder sb = new StringBuilder("Action: Originate\r\nChannel: Local/s@huibo-leg-a\r\nContext: huibo-connect\r\n"
            + "Exten: s\r\nPriority: 1\r\nAsync: true\r\nTimeout: 5000\r\nChannelId: " + channelId + "\r\n"
            + "Variable: HUIBO_CALLBACK=" + callbackId + "\r\nVariable: HUIBO_ATTEMPT=1\r\n");
        for (String v : variables) {
            sb.append("Variable: ").append(v).append("\r\n");
        }
        SimAstDbIT.send(ami, sb.append("ActionID: ").append(channelId).append("\r\n\r\n").toString());
    }

    private static JsonObject endedCall(String channelId) {
        return await().atMost(Duration.ofSeconds(8)).until(() -> new JsonArray(get("/calls")).stream()
            .map(JsonObject.class::cast).filter(c -> channelId.equals(c.getString("channelId")) && !c.getBoolean("live"))
            .findFirst().orElse(null), c -> c != null);
    }

    private static JsonObject astdb() throws Exception {
        return new JsonObject(get("/nodes/sim1/astdb"));
    }

    private static String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void anAnsweredCallRemembersBothLegsAnswered() throws Exception {
        originate("hb-memo-ans", "1001-2002", "HUIBO_AGI=" + agi.address(), "HUIBO_MEMO=20261202/ANS-1");
        assertThat(endedCall("hb-memo-ans").getString("legBOutcome")).isEqualTo("answered");
        JsonObject db = astdb();
        assertThat(db.getString("/huibo/20261202/ANS-1/a")).isEqualTo("ANSWER");
        assertThat(db.getString("/huibo/20261202/ANS-1/b")).isEqualTo("ANSWER");
    }

    @Test
    void aBusyLegARemembersItsDialStatusAndCauseAndNoLegB() throws Exception {
        originate("hb-memo-busy", "1007-2002", "HUIBO_AGI=" + agi.address(), "HUIBO_MEMO=20261202/BUSY-1");
        assertThat(endedCall("hb-memo-busy").getString("outcome")).isEqualTo("busy");
        JsonObject db = astdb();
        assertThat(db.getString("/huibo/20261202/BUSY-1/a")).isEqualTo("BUSY:17");
        assertThat(db.containsKey("/huibo/20261202/BUSY-1/b")).isFalse();
    }

    @Test
    void aBusyLegBAfterAnAnswerAndTheFirstFactStays() throws Exception {
        // [huibo-memo] does not overwrite: a fact already there for leg A stays
        SimAstDbIT.send(ami, "Action: DBPut\r\nActionID: pre\r\nFamily: huibo\r\nKey: 20261202/BBUSY-1/a\r\nVal: EARLIER\r\n\r\n");
        originate("hb-memo-bbusy", "1001-2007", "HUIBO_AGI=" + agi.address(), "HUIBO_MEMO=20261202/BBUSY-1");
        assertThat(endedCall("hb-memo-bbusy").getString("legBOutcome")).isEqualTo("busy");
        JsonObject db = astdb();
        assertThat(db.getString("/huibo/20261202/BBUSY-1/a")).isEqualTo("EARLIER");
        assertThat(db.getString("/huibo/20261202/BBUSY-1/b")).isEqualTo("BUSY:17");
    }

    @Test
    void purgeDropsOneDayOfMemory() throws Exception {
        for (String k : List.of("20261101/OLD-1/a", "20261101/OLD-2/b", "20261102/KEEP-1/a")) {
            SimAstDbIT.send(ami, "Action: DBPut\r\nFamily: huibo\r\nKey: " + k + "\r\nVal: ANSWER\r\n\r\n");
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> astdb().containsKey("/huibo/20261102/KEEP-1/a"));
        originate("hb-memo-purge", "1007-2002", "HUIBO_AGI=" + agi.address(), "HUIBO_MEMO=20261202/PURGE-1",
            "HUIBO_MEMO_PURGE=20261101");
        endedCall("hb-memo-purge");
        JsonObject db = astdb();
        assertThat(db.fieldNames()).noneMatch(k -> k.startsWith("/huibo/20261101/"));
        assertThat(db.getString("/huibo/20261102/KEEP-1/a")).isEqualTo("ANSWER");
        assertThat(db.getString("/huibo/20261202/PURGE-1/a")).isEqualTo("BUSY:17");
    }

    @Test
    void routeAndReportFallBackToTheNextInstanceWhenTheFirstRefuses() throws Exception {
        originate("hb-agi-fb", "1001-2002", "HUIBO_AGI=" + refusingAddress(), "HUIBO_AGI_2=" + refusingAddress(),
            "HUIBO_AGI_3=" + agi.address(), "HUIBO_MEMO=20261202/FB-1");
        JsonObject call = endedCall("hb-agi-fb");
        assertThat(call.getString("outcome")).isEqualTo("answered");
        assertThat(call.getString("legBOutcome")).isEqualTo("answered");
        assertThat(agi.find("route?leg=a", "1001-2002")).isNotEmpty();
        assertThat(agi.find("route?leg=b", "1001-2002")).isNotEmpty();
        assertThat(call.getJsonObject("variables").getString("HUIBO_AGI_3")).isEqualTo(agi.address());
    }

    @Test
    void aSessionCutOffHalfWayFallsBackToTheNextInstance() throws Exception {
        // an instance killed mid-script: Asterisk says AGISTATUS=SUCCESS, but HUIBO_AGI_OK never came
        try (TestAgi dying = new TestAgi(true)) {
            originate("hb-agi-cut", "1001-2002", "HUIBO_AGI=" + dying.address(), "HUIBO_AGI_2=" + agi.address(),
                "HUIBO_MEMO=20261202/CUT-1");
            JsonObject call = endedCall("hb-agi-cut");
            assertThat(call.getString("outcome")).isEqualTo("answered");
            assertThat(call.getString("legBOutcome")).isEqualTo("answered");
            assertThat(dying.find("route?leg=a", "1001-2002")).isNotEmpty();
            assertThat(dying.find("route?leg=b", "1001-2002")).isNotEmpty();
            assertThat(agi.find("route?leg=b", "1001-2002")).isNotEmpty();
        }
    }

    @Test
    void withEveryInstanceUnreachableLegAHangsUpWithCause38() throws Exception {
        originate("hb-agi-none", "1001-2009", "HUIBO_AGI=" + refusingAddress(), "HUIBO_AGI_2=" + refusingAddress(),
            "HUIBO_MEMO=20261202/NONE-1");
        assertThat(endedCall("hb-agi-none").getString("outcome")).isEqualTo("failed");
        assertThat(agi.find("route", "1001-2009")).isEmpty();
        assertThat(astdb().getString("/huibo/20261202/NONE-1/a")).isEqualTo(":38");
    }
}
