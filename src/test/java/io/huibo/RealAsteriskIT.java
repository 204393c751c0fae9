package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Huibo against a real Asterisk node with the project's own asterisk-conf/ and dialplan/ installed and
 * SIPp playing the people called (scripts/asterisk/phones.xml: the number's last digit decides). Run by
 * {@code scripts/asterisk-check}, which installs the files as asterisk-conf/README.md says, starts the
 * node and the phones, and passes {@code -Dhuibo.asterisk.node} (HUIBO_NODES form) and
 * {@code -Dhuibo.asterisk.sippLog} (SIPp's message log). Skipped otherwise: CI has no Asterisk.
 */
@EnabledIfSystemProperty(named = "huibo.asterisk.node", matches = ".+")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealAsteriskIT {

    static final String BUSINESS = "+4930900900";

    /** One callback and what must come of it; digits: the phones' behaviour (see phones.xml). */
    record Case(String name, char aDigit, char bDigit, boolean confirm, boolean agentFirst, String state,
                String outcome, String failedLeg) {
    }

    static final List<Case> CASES = List.of(
            new Case("connected", '1', '2', false, false, "completed", "connected", null),
            new Case("leg A busy", '7', '2', false, false, "failed", "busy", "a"),
            new Case("leg A no answer", '8', '2', false, false, "failed", "no_answer", "a"),
            new Case("leg A congestion", '9', '2', false, false, "failed", "congestion", "a"),
            new Case("leg B busy", '1', '7', false, false, "failed", "busy", "b"),
            new Case("leg B no answer", '1', '8', false, false, "failed", "no_answer", "b"),
            new Case("leg B congestion", '1', '9', false, false, "failed", "congestion", "b"),
            new Case("confirmation pressed", '6', '2', true, false, "completed", "connected", null),
            new Case("confirmation not pressed", '4', '2', true, false, "failed", "no_answer", "a"),
            new Case("hung up during the confirmation prompt", '5', '2', true, false, "failed", "no_answer", "a"),
            new Case("agent-first", '1', '2', false, true, "completed", "connected", null));

    private Stack stack;
    private Stack.Proc huibo;
    private final Map<String, Case> submitted = new LinkedHashMap<>();
    private final Map<String, String[]> numbers = new LinkedHashMap<>();

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Map<String, String> env = stack.huiboEnv(null, 0);
        env.put("HUIBO_NODES", System.getProperty("huibo.asterisk.node"));
        env.put("HUIBO_AGI_PORT", System.getProperty("huibo.asterisk.agiPort", "4573"));
        env.put("HUIBO_AGI_ADVERTISE_HOST", "127.0.0.1");
        env.put("HUIBO_DISPATCH_ORIGINATE_TIMEOUT", "8s");
        env.put("HUIBO_CALLER_ID_NUMBER", BUSINESS);
        env.put("HUIBO_CALLER_ID_NAME", "Huibo Check");
        env.put("HUIBO_ROUTING_LEG_A", "PJSIP/{number}@trunk");
        env.put("HUIBO_ROUTING_LEG_B", "PJSIP/{number}@trunk");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyOutcomeOnBothLegsAndTheCallerEachLegSees() throws Exception {
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            String customer = String.format("+49301%04d%c", i, c.agentFirst() ? c.bDigit() : c.aDigit());
            String agent = String.format("+49302%04d%c", i, c.agentFirst() ? c.aDigit() : c.bDigit());
            JsonObject body = new JsonObject().put("number", customer).put("destination", agent)
                    .put("maxAttempts", 1).put("confirm", c.confirm())
                    .put("flow", c.agentFirst() ? "agent-first" : "customer-first");
            String id = stack.submit(huibo, body);
            submitted.put(id, c);
            numbers.put(id, new String[] {customer, agent});
        }
        Map<String, JsonObject> done = new LinkedHashMap<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String id : submitted.keySet()) {
                JsonObject cb = stack.callback(huibo, id);
                assertThat(cb.getString("state")).as(submitted.get(id).name()).isIn("completed", "failed");
                done.put(id, cb);
            }
        });
        List<String> wrong = new ArrayList<>();
        for (var e : submitted.entrySet()) {
            Case c = e.getValue();
            JsonObject cb = done.get(e.getKey());
            JsonArray attempts = cb.getJsonArray("attempts");
            JsonObject last = attempts.getJsonObject(attempts.size() - 1);
            String got = cb.getString("state") + " " + last.getString("outcome") + " " + last.getString("failedLeg");
            String want = c.state() + " " + c.outcome() + " " + c.failedLeg();
            System.out.printf("[asterisk] %-40s %-32s %s%n", c.name(), got, last.getString("detail"));
            if (!got.equals(want)) {
                wrong.add(c.name() + ": " + got + ", expected " + want + " (" + last.getString("detail") + ")");
            }
        }
        assertThat(wrong).as("outcomes").isEmpty();
        checkCallerIds();
    }

    /**
     * From SIPp's log: the caller every first INVITE to a number shows, and every identity update a
     * person got afterwards (re-INVITE or UPDATE in the dialog).
     */
    private void checkCallerIds() throws Exception {
        Map<String, List<String>> shown = new LinkedHashMap<>();
        Map<String, List<String>> updates = new LinkedHashMap<>();
        String log = Files.readString(Path.of(System.getProperty("huibo.asterisk.sippLog")));
        Pattern request = Pattern.compile("^(INVITE|UPDATE) sip:(\\+?\\d+)@", Pattern.MULTILINE);
        for (String msg : log.split("\\n-{10,}")) {
            Matcher m = request.matcher(msg);
            if (!m.find()) {
                continue;
            }
            String identity = header(msg, "From") + " | " + header(msg, "Remote-Party-ID") + " | "
                    + header(msg, "P-Asserted-Identity");
            boolean inDialog = m.group(1).equals("UPDATE") || header(msg, "To").contains("tag=");
            (inDialog ? updates : shown).computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(identity);
        }
        List<String> wrong = new ArrayList<>();
        for (var e : submitted.entrySet()) {
            Case c = e.getValue();
            String customer = numbers.get(e.getKey())[0];
            String agent = numbers.get(e.getKey())[1];
            expect(wrong, c, "customer", shown.get(customer), BUSINESS);
            expect(wrong, c, "agent", shown.get(agent), customer);
            for (String u : updates.getOrDefault(customer, List.of())) {
                if (!u.contains(BUSINESS)) {
                    wrong.add(c.name() + ": the customer was sent another identity: " + u);
                }
            }
        }
        assertThat(wrong).as("callers shown").isEmpty();
    }

    private static void expect(List<String> wrong, Case c, String who, List<String> identities, String number) {
        if (identities == null) {
            return; // that person was never dialed in this case (e.g. leg A failed)
        }
        for (String id : identities) {
            System.out.printf("[asterisk] %-40s %-8s sees %s%n", c.name(), who, id);
            if (!id.startsWith("From: ") || !id.contains(number) || id.contains("sip:s@") || id.contains("Anonymous")) {
                wrong.add(c.name() + ": the " + who + " saw " + id + ", expected " + number);
            }
        }
    }

    private static String header(String msg, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + ":.*$", Pattern.MULTILINE | Pattern.CASE_INSENSITIVE)
                .matcher(msg);
        return m.find() ? m.group().trim() : "";
    }
}
