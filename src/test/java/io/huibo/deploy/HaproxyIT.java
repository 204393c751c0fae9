package io.huibo.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: HAProxy with the shipped {@code docker/haproxy.cfg} in front of three instances. Clients
 * submit through it (repeating a failed submit with its Idempotency-Key, as the README says) and dial-ins
 * reach FastAGI through it, while one instance is stopped (SIGTERM) and restarted, then another is
 * killed -9 and restarted. Requests must spread over all instances; the stop must cost no request
 * (the instance leaves HAProxy's pool before its port closes); every accepted callback must end
 * completed, dialed exactly once. Prints what it measured.
 *
 * <p>Size: {@code -Dhuibo.it.haproxy.callbacks} (at least that many submits, default 150) at
 * {@code -Dhuibo.it.haproxy.rate} per second (default 6), and one dial-in every
 * {@code -Dhuibo.it.haproxy.dialinEvery} submits (default 5); the clients keep submitting until both
 * faults are over.
 */
@Tag("ha")
class HaproxyIT {
    private static final int INSTANCES = 3;
    private static final int CALLBACKS = Integer.getInteger("huibo.it.haproxy.callbacks", 150);
    private static final double RATE = Double.parseDouble(System.getProperty("huibo.it.haproxy.rate", "6"));
    private static final int DIALIN_EVERY = Integer.getInteger("huibo.it.haproxy.dialinEvery", 5);
    private static final int CLIENTS = 3;

    private Stack stack;
    private Stack.Proc sim;
    private OwnHaproxy haproxy;
    private final Stack.Proc[] instances = new Stack.Proc[INSTANCES];
    private final List<Map<String, String>> envs = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private long t0;

    /** Idempotency-Key to the callback id of its accepted answer. */
    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    /** Every failed submit: when (ms since t0), its key and what came back. */
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger retriedKeys = new AtomicInteger();
    private final AtomicInteger submitted = new AtomicInteger();
    private final List<Dialin> dialins = new CopyOnWriteArrayList<>();
    /** POST /v1/callbacks answered 2xx per instance, from each instance's own metrics, over its lives. */
    private final long[] servedPosts = new long[INSTANCES];
    private final long[] agiSessions = new long[INSTANCES];

    private record Dialin(String caller, long startMs, long endMs, String result) {
    }

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        haproxy = new OwnHaproxy();
        // dial-ins ask HUIBO_DIALIN_AGI: HAProxy's FastAGI frontend
        sim = stack.sim(2, 25, null, "--agi", "127.0.0.1:" + haproxy.agiPort);
        List<int[]> ports = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            Map<String, String> env = stack.huiboEnv(sim, 25);
            env.put("HUIBO_INSTANCE_ID", "h" + (i + 1));
            // the default drain: what the README tells operators to run behind a balancer
            env.put("HUIBO_HTTP_DRAIN_DELAY", "5s");
            envs.add(env);
            instances[i] = stack.huibo(env);
            ports.add(new int[] {instances[i].port("http"), instances[i].port("agi")});
        }
        haproxy.start(ports);
        awaitStatus(INSTANCES, "UP", Duration.ofSeconds(20));
    }

    @AfterEach
    void down() throws Exception {
        try {
            if (haproxy != null) {
                haproxy.close();
            }
        } finally {
            stack.close();
        }
    }

    @Test
    void spreadsLoadAndLosesNothingWhenInstancesStopOrDie() throws Exception {
        String lb = "http://127.0.0.1:" + haproxy.httpPort;
        tlsRequest();
        t0 = System.currentTimeMillis();
        AtomicBoolean faultsDone = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Thread t = new Thread(() -> submitLoop(lb, next, faultsDone), "client-" + c);
            t.start();
            clients.add(t);
        }

        Thread.sleep(5000);
        // ---- SIGTERM h1: it must leave the pool before its port closes
        scrape(0);
        Map<String, Map<String, String>> before = haproxy.stats();
        int failuresBefore = failures.size();
        long termAt = System.currentTimeMillis();
        instances[0].terminate();
        long apiOut = awaitServerStatus("huibo_api/huibo1", "DOWN", termAt);
        Map<String, Map<String, String>> atDown = haproxy.stats();
        long agiOut = awaitServerStatus("huibo_fastagi/huibo1", "DOWN", termAt);
        assertThat(instances[0].waitFor(Duration.ofSeconds(60))).as("h1 exits after SIGTERM").isTrue();
        long exitedAfter = System.currentTimeMillis() - termAt;
        Map<String, Map<String, String>> atExit = haproxy.stats();
        long servedWhileLeaving = num(atDown, "huibo_api/huibo1", "stot") - num(before, "huibo_api/huibo1", "stot");
        long sentWhileOut = num(atExit, "huibo_api/huibo1", "stot") - num(atDown, "huibo_api/huibo1", "stot");
        int termFailures = failures.size() - failuresBefore;
        instances[0] = restart(0);
        awaitServerStatus("huibo_api/huibo1", "UP", System.currentTimeMillis());
        awaitServerStatus("huibo_fastagi/huibo1", "UP", System.currentTimeMillis());
        int termFailuresUntilBack = failures.size() - failuresBefore;

        // ---- kill -9 h2 while clients keep submitting
        scrape(1);
        failuresBefore = failures.size();
        Map<String, Map<String, String>> beforeKill = haproxy.stats();
        long killAt = System.currentTimeMillis();
        instances[1].kill9();
        long killedOut = awaitServerStatus("huibo_api/huibo2", "DOWN", killAt);
        long killedAgiOut = awaitServerStatus("huibo_fastagi/huibo2", "DOWN", killAt);
        instances[1] = restart(1);
        awaitServerStatus("huibo_api/huibo2", "UP", System.currentTimeMillis());
        int killFailures = failures.size() - failuresBefore;
        Map<String, Map<String, String>> afterKill = haproxy.stats();
        faultsDone.set(true);
        for (Thread t : clients) {
            t.join(Duration.ofMinutes(3).toMillis());
        }
        long submitEnd = System.currentTimeMillis();
        for (int i = 0; i < INSTANCES; i++) {
            scrape(i);
        }
        Map<String, Map<String, String>> end = haproxy.stats();

        // ---- every accepted callback (submitted or dialed in) ends completed
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.count("SELECT COUNT(*) FROM callbacks WHERE state <> 'completed'") == 0
                        && stack.count("SELECT COUNT(*) FROM callbacks") >= accepted.size());
        Map<String, String> states = states();
        Map<String, Integer> dials = dialsPerCallback();
        List<String> notOnce = new ArrayList<>();
        for (String id : states.keySet()) {
            if (dials.getOrDefault(id, 0) != 1) {
                notOnce.add(id + " dialed " + dials.getOrDefault(id, 0) + "x");
            }
        }
        long distinctIds = accepted.values().stream().distinct().count();
        long queuedDialins = dialins.stream().filter(d -> "queued".equals(d.result())).count();
        List<Dialin> failedDialins = dialins.stream().filter(d -> !"queued".equals(d.result())).toList();

        // ---- figures
        System.out.printf("[haproxy] %d submits (%d keys retried), %d dial-ins over %.1f s; callbacks in MariaDB %d%n",
                accepted.size(), retriedKeys.get(), dialins.size(), (submitEnd - t0) / 1000.0, states.size());
        for (int i = 0; i < INSTANCES; i++) {
            String s = "huibo" + (i + 1);
            System.out.printf("[haproxy] %s: HAProxy sent %s requests (2xx %s), %s FastAGI sessions; the instance "
                            + "counted %d accepted POST /v1/callbacks and %d FastAGI sessions (its own calls' and dial-ins)%n", s,
                    end.get("huibo_api/" + s).get("stot"), end.get("huibo_api/" + s).get("hrsp_2xx"),
                    end.get("huibo_fastagi/" + s).get("stot"), servedPosts[i], agiSessions[i]);
        }
        System.out.printf("[haproxy] SIGTERM h1: out of the API pool after %d ms, of FastAGI after %d ms, process "
                        + "exited after %d ms; requests it served after the SIGTERM %d, sent to it once out %d; failed "
                        + "submits until back %d%n", apiOut, agiOut, exitedAfter, servedWhileLeaving, sentWhileOut,
                termFailuresUntilBack);
        System.out.printf("[haproxy] kill -9 h2: out of the API pool after %d ms, of FastAGI after %d ms; failed "
                        + "submits %d; HAProxy connection errors %d, response errors %d, retries %d, redispatches %d%n",
                killedOut, killedAgiOut, killFailures,
                num(afterKill, "huibo_api/huibo2", "econ") - num(beforeKill, "huibo_api/huibo2", "econ"),
                num(afterKill, "huibo_api/huibo2", "eresp") - num(beforeKill, "huibo_api/huibo2", "eresp"),
                num(afterKill, "huibo_api/huibo2", "wretr") - num(beforeKill, "huibo_api/huibo2", "wretr"),
                num(afterKill, "huibo_api/huibo2", "wredis") - num(beforeKill, "huibo_api/huibo2", "wredis"));
        failures.forEach(f -> System.out.println("[haproxy] failed submit (retried with its key): " + f));
        failedDialins.forEach(d -> System.out.println("[haproxy] dial-in not queued: " + d));
        List<String> cutByKill = new ArrayList<>();
        List<String> wronglyDialed = new ArrayList<>();
        for (String line : notOnce) {
            String id = line.substring(0, line.indexOf(' '));
            String why = redialWithoutCause(id, killAt);
            (why == null ? cutByKill : wronglyDialed).add(why == null ? line : line + ": " + why);
        }
        System.out.printf("[haproxy] callbacks dialed again after the kill -9 cut their leg B route request "
                + "(a FastAGI session open on h2): %d %s%n", cutByKill.size(), cutByKill);

        // ---- checks
        long total = 0;
        for (int i = 0; i < INSTANCES; i++) {
            total += num(end, "huibo_api/huibo" + (i + 1), "stot");
        }
        for (int i = 0; i < INSTANCES; i++) {
            assertThat(num(end, "huibo_api/huibo" + (i + 1), "stot")).as("share of huibo%d", i + 1)
                    .isGreaterThan(total / (INSTANCES * 3));
            assertThat(servedPosts[i]).as("accepted POSTs counted by h%d itself", i + 1).isPositive();
            assertThat(num(end, "huibo_fastagi/huibo" + (i + 1), "stot")).as("FastAGI sessions via HAProxy to h%d", i + 1)
                    .isPositive();
        }
        assertThat(apiOut).as("h1 left the pool before its process exited").isLessThan(exitedAfter);
        assertThat(termFailures).as("submits failed by the SIGTERM").isZero();
        assertThat(sentWhileOut).as("requests HAProxy sent to h1 once it was out").isZero();
        assertThat(num(atExit, "huibo_api/huibo1", "econ") + num(atExit, "huibo_api/huibo1", "eresp"))
                .as("HAProxy errors on h1 by its stop")
                .isEqualTo(num(before, "huibo_api/huibo1", "econ") + num(before, "huibo_api/huibo1", "eresp"));
        // the submits and the one over TLS
        assertThat(accepted).as("every key accepted in the end").hasSize(submitted.get() + 1);
        assertThat(submitted.get() + dialins.size()).isGreaterThanOrEqualTo(CALLBACKS);
        assertThat(distinctIds).as("one callback per Idempotency-Key").isEqualTo(accepted.size());
        // a dial-in whose session the kill cut after its callback was stored (the caller heard no answer)
        // still has that callback, which is dialed like any other
        long storedCutDialins = 0;
        for (Dialin d : failedDialins) {
            if (stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + d.caller() + "'") > 0) {
                storedCutDialins++;
            }
        }
        assertThat((long) states.size()).as("callbacks in MariaDB: one per key, queued dial-in and stored cut dial-in")
                .isEqualTo(accepted.size() + queuedDialins + storedCutDialins);
        assertThat(wronglyDialed).as("callbacks not dialed exactly once").isEmpty();
        // a route session cut half-way lacks HUIBO_AGI_OK, so [huibo-agi] asks the next instance: the
        // answered call gets its leg B, and nobody is called again
        assertThat(cutByKill).as("callbacks dialed again after a cut leg B route request").isEmpty();
        // a dial-in is one FastAGI session through HAProxy, without a fallback in the dialplan: only one
        // whose session was open on h2 when it was killed may fail
        for (Dialin d : failedDialins) {
            assertThat(d.startMs() <= killAt - t0 && d.endMs() >= killAt - t0).as("failed dial-in %s overlapped the kill", d)
                    .isTrue();
        }
    }

    // ------------------------------------------------------------------ clients

    private void submitLoop(String lb, AtomicInteger next, AtomicBoolean faultsDone) {
        long pauseMs = (long) (1000 * CLIENTS / RATE);
        while (true) {
            int n = next.getAndIncrement();
            if (n >= CALLBACKS && faultsDone.get()) {
                return;
            }
            try {
                if (DIALIN_EVERY > 0 && n % DIALIN_EVERY == DIALIN_EVERY - 1) {
                    dialin(lb, n);
                } else {
                    submit(lb, n);
                }
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures.add(now() + " ms: client " + n + ": " + e);
            }
        }
    }

    /** Until it is accepted: a failed request is repeated with the same Idempotency-Key. */
    private void submit(String lb, int n) throws InterruptedException {
        String key = "ha-" + n;
        submitted.incrementAndGet();
        // last digit 0-6: the simulated person answers (7, 8, 9 are busy, no answer, congestion)
        JsonObject body = new JsonObject().put("number", String.format("+49301%06d%d", n, n % 7))
                .put("destination", String.format("+49302%06d%d", n, n % 7));
        long until = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
        for (int attempt = 1; System.currentTimeMillis() < until; attempt++) {
            String failure;
            try {
                HttpResponse<String> r = stack.post(lb + "/v1/callbacks", body.encode(), Stack.TOKEN,
                        Map.of("Idempotency-Key", key));
                if (r.statusCode() == 202 || r.statusCode() == 200) {
                    accepted.put(key, new JsonObject(r.body()).getString("id"));
                    if (attempt > 1) {
                        retriedKeys.incrementAndGet();
                    }
                    return;
                }
                failure = "HTTP " + r.statusCode() + " " + r.body().replace('\n', ' ');
            } catch (IOException e) {
                failure = e.toString();
            }
            failures.add(now() + " ms: " + key + " try " + attempt + ": " + failure);
            Thread.sleep(200);
        }
    }

    /** Registers a caller through HAProxy, then the simulator dials in; its FastAGI goes through HAProxy. */
    private void dialin(String lb, int n) throws Exception {
        String caller = String.format("+49401%06d%d", n, n % 7);
        // a PUT is idempotent: repeated like a submit when it fails
        for (int attempt = 1; ; attempt++) {
            try {
                register(lb, n, caller);
                break;
            } catch (IOException e) {
                failures.add(now() + " ms: caller " + caller + " try " + attempt + ": " + e);
                if (attempt == 20) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
        long start = now();
        HttpResponse<String> call = stack.simDialin(sim, new JsonObject().put("caller", caller).put("access", "5000").encode());
        String result = call.statusCode() == 200 ? new JsonObject(call.body()).getString("huiboResult")
                : "HTTP " + call.statusCode();
        dialins.add(new Dialin(caller, start, now(), String.valueOf(result)));
    }

    private void register(String lb, int n, String caller) throws IOException, InterruptedException {
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(lb + "/v1/dialin/callers/"
                        + caller.replace("+", "%2B"))).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + Stack.TOKEN).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject()
                        .put("destination", String.format("+49402%06d%d", n, n % 7)).encode())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 200 && put.statusCode() != 201) {
            throw new IOException("HTTP " + put.statusCode() + " " + put.body());
        }
    }

    /** One callback submitted over HAProxy's TLS frontend, with a client that trusts only its certificate. */
    private void tlsRequest() throws Exception {
        HttpClient tls = HttpClient.newBuilder().sslContext(haproxy.trust()).connectTimeout(Duration.ofSeconds(5)).build();
        String key = "ha-tls";
        HttpResponse<String> r = tls.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + haproxy.httpsPort
                        + "/v1/callbacks")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + Stack.TOKEN).header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("number", "+493039999990")
                        .put("destination", "+493049999990").encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        System.out.printf("[haproxy] over TLS (%s): POST /v1/callbacks -> %d%n", r.version(), r.statusCode());
        accepted.put(key, new JsonObject(r.body()).getString("id"));
    }

    // ------------------------------------------------------------------ instances and HAProxy

    private Stack.Proc restart(int i) throws Exception {
        for (int tries = 1; ; tries++) {
            try {
                return stack.huibo(envs.get(i));
            } catch (IllegalStateException e) {
                if (tries == 3) {
                    throw e;
                }
            }
        }
    }

    /** Adds what instance i counted so far (its counters start again at 0 when it restarts). */
    private void scrape(int i) throws Exception {
        HttpResponse<String> r = stack.get(stack.api(instances[i]) + "/metrics", Stack.TOKEN);
        long posts = 0;
        long agi = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("vertx_http_server_requests_total{") && line.contains("method=\"POST\"")
                    && line.matches(".*route=\"[^\"]*/v1/callbacks\".*") && line.matches(".*code=\"20[02]\".*")) {
                posts += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("huibo_agi_sessions_total")) {
                agi += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        servedPosts[i] += posts;
        agiSessions[i] += agi;
    }

    private void awaitStatus(int servers, String status, Duration limit) {
        await().atMost(limit).pollInterval(Duration.ofMillis(100)).until(() -> {
            Map<String, Map<String, String>> s = haproxy.stats();
            for (int i = 1; i <= servers; i++) {
                if (!status.equals(s.get("huibo_api/huibo" + i).get("status"))
                        || !status.equals(s.get("huibo_fastagi/huibo" + i).get("status"))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Milliseconds from {@code since} until HAProxy shows the server in that state. */
    private long awaitServerStatus(String server, String status, long since) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (status.equals(haproxy.stats().get(server).get("status"))) {
                return System.currentTimeMillis() - since;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(server + " not " + status + " within 60 s; HAProxy log:\n" + haproxy.log());
    }

    private static long num(Map<String, Map<String, String>> stats, String server, String field) {
        String v = stats.get(server).get(field);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    // ------------------------------------------------------------------ results

    private Map<String, String> states() throws Exception {
        return stack.pairs("SELECT id, state FROM callbacks");
    }

    /**
     * Null when each attempt before the last of this callback is one the kill cut: placed before it,
     * ended by it (leg A answered, then no route for leg B: hangup cause 38, the dialplan's answer to
     * a FastAGI session that ended without one), and the last attempt connected; else what is wrong.
     */
    private String redialWithoutCause(String id, long killAtMs) throws Exception {
        List<JsonObject> calls = new ArrayList<>(stack.simCallsOf(sim, id));
        if (calls.isEmpty()) {
            return "never dialed";
        }
        calls.sort((a, b) -> Integer.compare(Integer.parseInt(a.getValue("attempt").toString()),
                Integer.parseInt(b.getValue("attempt").toString())));
        Map<Integer, String> rows = new HashMap<>();
        try (Connection c = stack.db(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT number, outcome, failed_leg, hangup_cause FROM attempts WHERE callback_id = '"
                     + id + "'")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getString(2) + "/" + rs.getString(3) + "/" + rs.getString(4));
            }
        }
        for (int k = 0; k < calls.size() - 1; k++) {
            JsonObject c = calls.get(k);
            int n = Integer.parseInt(c.getValue("attempt").toString());
            long started = java.time.Instant.parse(c.getString("startedAt")).toEpochMilli();
            long ended = c.getString("endedAt") == null ? Long.MAX_VALUE : java.time.Instant.parse(c.getString("endedAt")).toEpochMilli();
            if (!"failed/B/38".equals(rows.get(n)) || started > killAtMs || ended > killAtMs + 5000) {
                return "attempt " + n + " " + c.encode() + " recorded " + rows.get(n);
            }
        }
        return null;
    }

    /** Originates the simulator received, per callback. */
    private Map<String, Integer> dialsPerCallback() throws Exception {
        JsonArray calls = stack.simCalls(sim);
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonObject call = calls.getJsonObject(i);
            if ("callback".equals(call.getString("kind")) && call.getString("callbackId") != null) {
                out.merge(call.getString("callbackId"), 1, Integer::sum);
            }
        }
        return out;
    }

    private long now() {
        return System.currentTimeMillis() - t0;
    }
}
