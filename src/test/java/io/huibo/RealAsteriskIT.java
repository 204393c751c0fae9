package io.huibo;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
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
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
        // the endpoints of the trunks table below (trunkPolicy)
        env.put("HUIBO_TRUNK_POLICY_ENDPOINTS", "trunk-congested,trunk-down");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1) // on the configured routes (routing.legA / legB); the failover test imports route tables
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

    /** Carriers of the failover routes: see the endpoints scripts/asterisk-check adds to the node. */
    static final String TRUNKS = """
            id,dial,max_concurrent,max_cps,enabled
            main,PJSIP/{number}@trunk,0,0,true
            congested,PJSIP/{number}@trunk-congested,0,0,true
            down,PJSIP/{number}@trunk-down,0,0,true
            """;
    /**
     * Everything over main; agents 49303.. first over down, customers 49304.. first over congested, agents
     * 49305.. over the two failing ones only, customers 49307.. and agents 49308.. over down only.
     */
    static final String ROUTES = """
            table,leg,prefix,trunk,weight,tz,days,start,end
            default,,,main,1,,,,
            default,b,49303,down,1,,,,
            default,b,49303,main,1,,,,
            default,a,49304,congested,1,,,,
            default,a,49304,main,1,,,,
            default,b,49305,congested,1,,,,
            default,b,49305,down,1,,,,
            default,a,49307,down,1,,,,
            default,b,49308,down,1,,,,
            """;
    /** Cost decides the failover order within a prefix: the failing carriers are the cheap ones. */
    static final String RATES = """
            trunk,prefix,cost_per_minute
            congested,,0.001
            down,,0.002
            main,,0.01
            """;
    static final String TABLES = """
            table,strategies
            default,"prefix,cost"
            """;

    /** A failover case: the tries MariaDB must hold for every attempt, as "leg try trunk DIALSTATUS". */
    record Failover(String name, String customer, String agent, int maxAttempts, String state, String outcome,
                    String failedLeg, List<String> tries) {
    }

    static final List<Failover> FAILOVERS = List.of(
            new Failover("leg B: unreachable trunk, then main", "+4930190001", "+4930300002", 1,
                    "completed", "connected", null, List.of("a1 main ANSWER", "b1 down CHANUNAVAIL", "b2 main ANSWER")),
            new Failover("leg A: congested carrier (503), then main", "+4930400001", "+4930290002", 1,
                    "completed", "connected", null,
                    List.of("a1 congested CONGESTION", "a2 main ANSWER", "b1 main ANSWER")),
            new Failover("leg B: every trunk fails", "+4930190011", "+4930500002", 2, "failed", "congestion", "b",
                    List.of("a1 main ANSWER", "b1 congested CONGESTION", "b2 down CHANUNAVAIL")),
            new Failover("leg A: only an unreachable trunk", "+4930700001", "+4930290012", 1, "failed", "congestion",
                    "a", List.of("a1 down CHANUNAVAIL")),
            new Failover("leg B: only an unreachable trunk", "+4930190021", "+4930800002", 1, "failed", "congestion",
                    "b", List.of("a1 main ANSWER", "b1 down CHANUNAVAIL")));

    @Test
    @Order(2)
    void failoverToTheNextTrunkAndEveryTrunkFailing() throws Exception {
        for (String[] kv : new String[][] {{"trunks", TRUNKS}, {"routes", ROUTES}, {"rates", RATES}, {"tables", TABLES}}) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.api(huibo) + "/v1/routing/" + kv[0] + ".csv"))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + Stack.TOKEN)
                    .header("Content-Type", "text/csv").PUT(HttpRequest.BodyPublishers.ofString(kv[1])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s: %s", kv[0], r.body()).isEqualTo(200);
        }
        // every instance reloads the tables within routing.reloadInterval
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(new JsonObject(
                stack.get(stack.api(huibo) + "/v1/routing/status", Stack.TOKEN).body()).getBoolean("staticRoutes")).isFalse());
        Map<String, Failover> ids = new LinkedHashMap<>();
        for (Failover f : FAILOVERS) {
            ids.put(stack.submit(huibo, new JsonObject().put("number", f.customer()).put("destination", f.agent())
                    .put("maxAttempts", f.maxAttempts())), f);
        }
        Map<String, JsonObject> done = finish(ids.keySet(), Duration.ofMinutes(3));
        List<String> wrong = new ArrayList<>();
        for (var e : ids.entrySet()) {
            Failover f = e.getValue();
            JsonObject cb = done.get(e.getKey());
            JsonArray attempts = cb.getJsonArray("attempts");
            JsonObject last = attempts.getJsonObject(attempts.size() - 1);
            String got = cb.getString("state") + " " + last.getString("outcome") + " " + last.getString("failedLeg")
                    + " attempts=" + attempts.size();
            String want = f.state() + " " + f.outcome() + " " + f.failedLeg() + " attempts=" + f.maxAttempts();
            System.out.printf("[asterisk] %-44s %-40s %s%n", f.name(), got, last.getString("detail"));
            if (!got.equals(want)) {
                wrong.add(f.name() + ": " + got + ", expected " + want + " (" + last.getString("detail") + ")");
            }
            for (int n = 1; n <= attempts.size(); n++) {
                List<String> tries = triesInDatabase(e.getKey(), n);
                System.out.printf("[asterisk] %-44s attempt %d tries in MariaDB: %s%n", f.name(), n, tries);
                if (!tries.equals(f.tries())) {
                    wrong.add(f.name() + ", attempt " + n + ": tries " + tries + ", expected " + f.tries());
                }
            }
        }
        assertThat(wrong).as("failover").isEmpty();
    }

    /** route_tries as RouteTryStore wrote them: "leg try trunk DIALSTATUS" in order. */
    private List<String> triesInDatabase(String callbackId, int attempt) throws Exception {
        List<String> out = new ArrayList<>();
        try (var c = stack.db(); var ps = c.prepareStatement("SELECT leg, `try`, trunk_id, dial_status FROM route_tries"
                + " WHERE callback_id = ? AND attempt = ? ORDER BY leg, `try`")) {
            ps.setString(1, callbackId);
            ps.setInt(2, attempt);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT) + rs.getInt(2) + " " + rs.getString(3) + " " + rs.getString(4));
                }
            }
        }
        return out;
    }

    /** A dial-in caller: the SIPp caller's number, the destination it registered, and its PIN (or none). */
    record Dialin(String name, String caller, String destination, String pin) {
    }

    @Test
    @Order(3)
    void dialInRegistersACallbackThatCallsTheCallerBack() throws Exception {
        List<Dialin> cases = List.of(
                new Dialin("dial-in without PIN", "+4930600001", "+4930600002", null),
                new Dialin("dial-in with PIN", "+4930600011", "+4930600012", "2468"));
        Path fullLog = Path.of(System.getProperty("huibo.asterisk.fullLog"));
        List<String> wrong = new ArrayList<>();
        Map<String, Dialin> ids = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Dialin d = cases.get(i);
            JsonObject caller = new JsonObject().put("destination", d.destination());
            if (d.pin() != null) {
                caller.put("pin", d.pin());
            }
            HttpResponse<String> put = stack.send(huibo, "PUT", "/v1/dialin/callers/" + d.caller(), caller.encode());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            long logFrom = Files.size(fullLog);
            Path messages = Path.of(System.getProperty("huibo.asterisk.work"), "dialin-" + (i + 1) + ".log");
            int rc = dialIn(d.caller(), messages);
            String log = Files.readString(messages);
            byte[] all = Files.readAllBytes(fullLog);
            String node = new String(all, (int) logFrom, all.length - (int) logFrom, java.nio.charset.StandardCharsets.UTF_8);
            // what the caller got: 486 unanswered (never billed), or 200 (answered, so billed) and the node's BYE
            String got = (log.contains("SIP/2.0 486") ? "refused 486" : answered(log) ? "answered" : "neither 486 nor 200")
                    + (log.contains("BYE sip:") ? ", hung up by the node" : "")
                    + (node.contains("huibo/we-will-call-you-back") ? ", heard we-will-call-you-back" : "");
            String want = d.pin() == null ? "refused 486" : "answered, hung up by the node, heard we-will-call-you-back";
            System.out.printf("[asterisk] %-44s sipp exit %d, caller: %s%n", d.name(), rc, got);
            if (rc != 0 || !got.equals(want)) {
                wrong.add(d.name() + ": sipp exit " + rc + ", " + got + ", expected " + want);
            }
            String id = await().atMost(Duration.ofSeconds(20)).until(() -> callbackOf(d.caller()), v -> v != null);
            ids.put(id, d);
        }
        Map<String, JsonObject> done = finish(ids.keySet(), Duration.ofMinutes(2));
        for (var e : ids.entrySet()) {
            Dialin d = e.getValue();
            JsonObject cb = done.get(e.getKey());
            JsonArray attempts = cb.getJsonArray("attempts");
            JsonObject last = attempts.getJsonObject(attempts.size() - 1);
            String got = cb.getString("state") + " " + last.getString("outcome") + " " + cb.getString("number") + " -> "
                    + cb.getString("destination");
            String want = "completed connected " + d.caller() + " -> " + d.destination();
            System.out.printf("[asterisk] %-44s callback %s %s%n", d.name(), e.getKey(), got);
            if (!got.equals(want)) {
                wrong.add(d.name() + ": callback " + got + ", expected " + want + " (" + last.getString("detail") + ")");
            }
        }
        assertThat(wrong).as("dial-in").isEmpty();
    }

    /** The caller's side of the log: a 200 OK that answers its INVITE (not one it sent for a BYE). */
    private static boolean answered(String log) {
        for (String msg : log.split("\\n-{10,}")) {
            if (msg.contains("SIP/2.0 200 OK") && msg.contains("CSeq: 1 INVITE")) {
                return true;
            }
        }
        return false;
    }

    /** Runs the SIPp caller (scripts/asterisk/dialin.xml) once against the node's access number 5000. */
    private static int dialIn(String caller, Path messages) throws Exception {
        String[] sip = System.getProperty("huibo.asterisk.sip", "127.0.0.1:5070").split(":");
        Process p = new ProcessBuilder("sipp", sip[0] + ":" + sip[1], "-nostdin", "-sf", "scripts/asterisk/dialin.xml",
                "-s", "5000", "-key", "caller", caller, "-i", "127.0.0.1",
                "-p", System.getProperty("huibo.asterisk.dialinPort", "5093"), "-mi", "127.0.0.1", "-m", "1",
                "-timeout", "60s", "-timeout_error", "-trace_msg", "-message_file", messages.toString())
                .redirectErrorStream(true).redirectOutput(messages.resolveSibling(messages.getFileName() + ".out").toFile())
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private String callbackOf(String number) throws Exception {
        try (var c = stack.db(); var ps = c.prepareStatement("SELECT id FROM callbacks WHERE number = ?")) {
            ps.setString(1, number);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private Map<String, JsonObject> finish(Iterable<String> ids, Duration within) {
        Map<String, JsonObject> done = new LinkedHashMap<>();
        await().atMost(within).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String id : ids) {
                JsonObject cb = stack.callback(huibo, id);
                assertThat(cb.getString("state")).as(id).isIn("completed", "failed");
                done.put(id, cb);
            }
        });
        return done;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
