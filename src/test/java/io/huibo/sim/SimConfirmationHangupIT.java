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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code press: hangup}: leg A puts the phone down while [huibo-connect] plays the confirmation prompt. */
class SimConfirmationHangupIT {
    private static TestAgi agi;
    private static Simulator sim;
    private static AmiRecorder ami;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        agi = new TestAgi();
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "confirm-secret", 5,
            Scenario.parse("defaults: {prompt: 400ms}\nnumbers:\n  \"1104\": {press: hangup, answerAfter: 50ms}\n"),
            0, null)).withControlApi().start();
        ami = new AmiRecorder(sim.amiPort(1), "huibo", "confirm-secret");
    }

    @AfterAll
    static void stop() throws Exception {
        ami.close();
        sim.close();
        agi.close();
    }

    private static String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.controlPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void legAHangsUpDuringThePromptAndLegBIsNeverDialed() throws Exception {
        ami.originate("hb-conf-hup", "huibo-leg-a", "huibo-connect", null, "HUIBO_CALLBACK=1104-2002",
            "HUIBO_ATTEMPT=1", "HUIBO_AGI=" + agi.address(), "HUIBO_CONFIRM=1", "HUIBO_MEMO=20261207/HUP-1");
        Map<String, String> end1 = ami.awaitEvent("Hangup", e -> "hb-conf-hup".equals(e.get("Uniqueid")));
        assertThat(end1.get("Cause")).isEqualTo("16");
        JsonObject call = await().atMost(Duration.ofSeconds(5)).until(() -> new JsonArray(get("/calls")).stream()
            .map(JsonObject.class::cast).filter(c -> "hb-conf-hup".equals(c.getString("channelId"))).findFirst()
            .orElse(null), c -> c != null && !c.getBoolean("live"));
        assertThat(call.getString("outcome")).isEqualTo("answered");
        assertThat(call.getString("legBOutcome")).isEqualTo("unconfirmed");
        assertThat(call.getInteger("triesB")).isZero();

        List<Map<String, String>> hangups = ami.events("Hangup", "hb-conf-hup");
        Map<String, String> legA = hangups.stream().filter(e -> e.get("Channel").startsWith("PJSIP/trunk-")).findFirst().orElseThrow();
        assertThat(legA.get("Cause")).isEqualTo("16");
        // leg A goes first, then the ;2 half it was bridged to, then the ;1 half whose Playback it interrupted
        assertThat(hangups).extracting(e -> e.get("Uniqueid"))
            .containsExactly(legA.get("Uniqueid"), "hb-conf-hup;2", "hb-conf-hup");
        // leg A's Dial from the ;2 half, and none from the ;1 half: leg B was never dialed
        assertThat(ami.events("DialBegin", "hb-conf-hup")).extracting(e -> e.get("Uniqueid")).containsExactly("hb-conf-hup;2");
        // the ;1 half ran the h extension of [huibo-connect], which remembered that leg A did not confirm
        assertThat(ami.events("Newexten", "hb-conf-hup")).filteredOn(e -> "hb-conf-hup".equals(e.get("Uniqueid")))
            .extracting(e -> e.get("Context") + "," + e.get("Extension") + "," + e.get("Priority") + "," + e.get("Application"))
            .containsSubsequence("huibo-connect,s,3,Playback", "huibo-connect,h,1,GotoIf", "huibo-connect,h,2,Gosub",
                "huibo-memo,s,3,Set");
        JsonObject db = new JsonObject(get("/nodes/sim1/astdb"));
        assertThat(db.getString("/huibo/20261207/HUP-1/a")).isEqualTo("ANSWER");
        assertThat(db.getString("/huibo/20261207/HUP-1/b")).isEqualTo("UNCONFIRMED:16");
        assertThat(agi.find("route?leg=b", "1104-2002")).isEmpty();
    }
}
