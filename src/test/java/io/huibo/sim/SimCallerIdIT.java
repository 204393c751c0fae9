package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What each leg is shown (GET /calls shownToA, shownToB, updatesToA), on a small dialplan of its own loaded
 * with the --dialplan option: with and without CALLERID set before Dial, with and without Dial option I.
 */
class SimCallerIdIT {
    private static final String DIALPLAN = """
        ; leg A from the ;2 half, leg B from the ;1 half, as in huibo.conf but without AGI
        [plain-a]
        exten => s,1,Dial(PJSIP/3001@trunk,5)
         same => n,Hangup()
        [plain-b]
        exten => s,1,Dial(PJSIP/4001@trunk,5)
         same => n,Hangup()

        [cid-a]
        exten => s,1,Set(CALLERID(num)=+4930111)
         same => n,Set(CALLERID(name)=Huibo Callback)
         same => n,Dial(PJSIP/3002@trunk,5)
         same => n,Hangup()
        [cid-b]
        exten => s,1,Set(CALLERID(num)=${B_CID})
         same => n,Set(CALLERID(name)=${B_CIDNAME})
         same => n,Dial(PJSIP/4002@trunk,5)
         same => n,Hangup()

        [cid-b-ignore]
        exten => s,1,Set(CALLERID(num)=${B_CID})
         same => n,Dial(PJSIP/4003@trunk,5,I)
         same => n,Hangup()
        """;
    private static Simulator sim;
    private static AmiRecorder ami;
    private static Path file;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        file = Files.createTempFile("callerid", ".conf");
        Files.writeString(file, DIALPLAN);
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "cid-secret", 10,
            Scenario.parse("defaults: {answerAfter: 50ms, talk: 300ms}\n"), 0, null, null, null, file))
            .withControlApi().start();
        ami = new AmiRecorder(sim.amiPort(1), "huibo", "cid-secret");
    }

    @AfterAll
    static void stop() throws Exception {
        ami.close();
        sim.close();
        Files.deleteIfExists(file);
    }

    private static JsonObject ended(String channelId) {
        return await().atMost(Duration.ofSeconds(8)).until(() -> new JsonArray(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sim.controlPort() + "/calls")).build(), HttpResponse.BodyHandlers.ofString())
            .body()).stream().map(JsonObject.class::cast).filter(c -> channelId.equals(c.getString("channelId")))
            .findFirst().orElse(null), c -> c != null && !c.getBoolean("live"));
    }

    private static JsonObject id(String num, String name) {
        return new JsonObject().put("num", num).put("name", name);
    }

    @Test
    void withoutCallerIdEachLocalHalfPresentsItsExtensionAndLegASeesLegBAnswer() throws Exception {
        ami.originate("hb-cid-plain", "plain-a", "plain-b", null);
        JsonObject c = ended("hb-cid-plain");
        assertThat(c.getString("legBOutcome")).isEqualTo("answered");
        assertThat(c.getJsonObject("shownToA")).isEqualTo(id("s", ""));
        assertThat(c.getJsonObject("shownToB")).isEqualTo(id("s", ""));
        assertThat(c.getJsonArray("updatesToA")).containsExactly(id("4001", ""));
    }

    @Test
    void theOriginatesCallerIdIsWhatLegASeesWithoutASet() throws Exception {
        ami.originate("hb-cid-orig", "plain-a", "plain-b", "\"Desk\" <100>");
        JsonObject c = ended("hb-cid-orig");
        assertThat(c.getJsonObject("shownToA")).isEqualTo(id("100", "Desk"));
        assertThat(c.getJsonObject("shownToB")).isEqualTo(id("100", "Desk"));
    }

    @Test
    void callerIdSetBeforeEachDial() throws Exception {
        ami.originate("hb-cid-set", "cid-a", "cid-b", null, "B_CID=+8613800138000", "B_CIDNAME=Alice");
        JsonObject c = ended("hb-cid-set");
        assertThat(c.getJsonObject("shownToA")).isEqualTo(id("+4930111", "Huibo Callback"));
        assertThat(c.getJsonObject("shownToB")).isEqualTo(id("+8613800138000", "Alice"));
        assertThat(c.getJsonArray("updatesToA")).containsExactly(id("4002", ""));
        // the caller ID change shows on AMI as Asterisk shows it
        assertThat(ami.events("NewCallerid", "hb-cid-set")).extracting(e -> e.get("Uniqueid") + "=" + e.get("CallerIDNum"))
            .contains("hb-cid-set;2=+4930111", "hb-cid-set=+8613800138000");
    }

    @Test
    void optionIKeepsLegBsIdentityFromLegA() throws Exception {
        ami.originate("hb-cid-i", "cid-a", "cid-b-ignore", null, "B_CID=+8613800138000");
        JsonObject c = ended("hb-cid-i");
        assertThat(c.getString("legBOutcome")).isEqualTo("answered");
        assertThat(c.getJsonObject("shownToB")).isEqualTo(id("+8613800138000", ""));
        assertThat(c.getJsonArray("updatesToA")).isEmpty();
    }

    @Test
    void anEmptyCallerIdFallsBackToTheExtension() throws Exception {
        ami.originate("hb-cid-empty", "cid-a", "cid-b", null, "B_CID=", "B_CIDNAME=");
        assertThat(ended("hb-cid-empty").getJsonObject("shownToB")).isEqualTo(id("s", ""));
    }
}
