package io.huibo.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.huibo.TcpProxy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's fault suite: callbacks run through 3 Huibo instances (one whose clock runs 60 s ahead, via
 * libfaketime) and 4 simulated nodes while faults are injected one after another, in an order and at
 * times drawn from a seed. Then, per accepted callback: it reached a final state; no channel was
 * originated twice; nobody whose call connected was called again; every Originate the nodes saw has its
 * attempt row; nothing is left dialing.
 *
 * <p>Size: {@code -Dhuibo.fault.seed}, {@code -Dhuibo.fault.callbacks}, {@code -Dhuibo.fault.rounds}
 * (each round injects every kind of fault once), {@code -Dhuibo.fault.maxGapMs}. {@code scripts/test} runs it small,
 * {@code scripts/fault-suite} at full size with several seeds.
 */
class FaultSuiteIT {
    private static final long SEED = Long.getLong("huibo.fault.seed", 1L);
    private static final int CALLBACKS = Integer.getInteger("huibo.fault.callbacks", 120);
    private static final int ROUNDS = Integer.getInteger("huibo.fault.rounds", 1);
    /** Longest quiet time between two faults, in ms (at least a second). */
    private static final int MAX_GAP_MS = Integer.getInteger("huibo.fault.maxGapMs", 3000);
    /**
     * How long MariaDB stays unreachable (plus up to half as long again, at random). scripts/test runs
     * the suite small, with an outage still well past the pool's connection timeout; scripts/fault-suite
     * runs it at the 20-30 s.
     */
    private static final int DB_OUTAGE_MS = Integer.getInteger("huibo.fault.dbOutageMs", 10_000);
    /** The time over which callbacks arrive, per fault in the plan: they keep coming through every fault. */
    private static final int MS_PER_FAULT = Integer.getInteger("huibo.fault.msPerFault", 10_000);
    private static final int NODES = 4;
    private static final int CHANNELS = 60;
    private static final String FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
    private static final String SCENARIO = """
            defaults:
              talk: 2s
            """;

    enum Kind { KILL9, SIGTERM, REDIS_RESTART, REDIS_DATA_LOSS, MARIADB_OUTAGE, AMI_CUT, NODE_KILL, SILENT_NODE }

    /** One injected fault: what, on what, when it ended, and how long until calls ended again. */
    record Injected(Kind kind, String target, long startedMs, long restoredMs, long recoveredMs) {
        String line() {
            return String.format("  %-16s %-6s at %6.1f s, for %5.1f s, recovered %s", kind, target,
                    startedMs / 1000.0, (restoredMs - startedMs) / 1000.0,
                    recoveredMs < 0 ? "never" : String.format("%.1f s after", (recoveredMs - restoredMs) / 1000.0));
        }
    }

    private final Random random = new Random(SEED);
    private Stack stack;
    private OwnRedis redis;
    private TcpProxy mariadb;
    private Stack.Proc sim;
    private final List<Map<String, String>> envs = new ArrayList<>();
    private final Stack.Proc[] instances = new Stack.Proc[3];
    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    private final AtomicLong ended = new AtomicLong();
    private long t0;

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        redis = new OwnRedis();
        redis.start();
        mariadb = new TcpProxy("127.0.0.1", 3306);
        sim = stack.sim(NODES, CHANNELS, SCENARIO);
        for (int i = 0; i < instances.length; i++) {
            Map<String, String> env = stack.huiboEnv(sim, CHANNELS / 2);
            env.put("HUIBO_REDIS_URI", redis.uri());
            env.put("HUIBO_DB_URL", "jdbc:mariadb://127.0.0.1:" + mariadb.port() + "/" + stack.dbName);
            env.put("HUIBO_INSTANCE_ID", "h" + (i + 1));
            if (i == 2) {
                env.put("LD_PRELOAD", FAKETIME_LIB);
                env.put("FAKETIME", "+60s");
                env.put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
                // without it, libfaketime 0.9.10's pthread_cond_timedwait fix makes every timed wait of
                // the JVM return at once: the instance spins on all its threads and starves the machine
                env.put("FAKETIME_FORCE_MONOTONIC_FIX", "0");
            }
            envs.add(env);
            instances[i] = stack.huibo(env);
        }
    }

    @AfterEach
    void down() throws Exception {
        stack.close();
        mariadb.close();
        redis.close();
    }

    @Test
    void noCallbackIsLostDialedTwiceOrStuckWhateverFails() throws Exception {
        t0 = System.currentTimeMillis();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread progress = new Thread(() -> watchProgress(running), "fault-progress");
        progress.setDaemon(true);
        progress.start();
        List<Kind> plan = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            List<Kind> round = new ArrayList<>(List.of(Kind.values()));
            Collections.shuffle(round, random);
            plan.addAll(round);
        }
        // callbacks arrive all through the faults, at a pace that spreads them over the plan
        long perCallbackMs = Math.max(5, plan.size() * (long) MS_PER_FAULT / CALLBACKS);
        Thread submitter = new Thread(() -> submitAll(perCallbackMs), "fault-submitter");
        submitter.setDaemon(true);
        submitter.start();

        List<Injected> faults = new ArrayList<>();
        for (Kind k : plan) {
            Thread.sleep(1000 + random.nextInt(Math.max(1, MAX_GAP_MS - 1000)));
            faults.add(inject(k));
        }
        submitter.join(Duration.ofMinutes(10).toMillis());
        assertThat(submitter.isAlive()).as("submitting finished").isFalse();

        long deadline = System.currentTimeMillis() + Duration.ofMinutes(4).toMillis();
        Map<String, String> states = states();
        while (System.currentTimeMillis() < deadline && !Stack.allEnded(accepted.values(), states)) {
            Thread.sleep(1000);
            states = states();
        }
        Thread.sleep(2000); // a redial after a final state, if there were one, would be visible by now
        running.set(false);
        report(faults, states());
    }

    // ---------------------------------------------------------------- faults

    private Injected inject(Kind k) throws Exception {
        long start = now();
        String target;
        switch (k) {
            case KILL9 -> {
                int i = random.nextInt(instances.length);
                target = "h" + (i + 1);
                instances[i].kill9();
                Thread.sleep(2000 + random.nextInt(4000));
                restart(i);
            }
            case SIGTERM -> {
                int i = random.nextInt(instances.length);
                target = "h" + (i + 1);
                instances[i].terminate();
                if (!instances[i].waitFor(Duration.ofSeconds(60))) {
                    System.out.println("[fault] h" + (i + 1) + " did not stop within 60 s of SIGTERM");
                    instances[i].kill9();
                }
                restart(i);
            }
            case REDIS_RESTART -> {
                target = "redis";
                redis.stopKeepingData();
                Thread.sleep(2000);
                redis.start();
            }
            case REDIS_DATA_LOSS -> {
                target = "redis";
                redis.killLosingData();
                Thread.sleep(2000);
                redis.start();
            }
            case MARIADB_OUTAGE -> {
                target = "mariadb";
                mariadb.cut();
                Thread.sleep(DB_OUTAGE_MS + random.nextInt(DB_OUTAGE_MS / 2));
                mariadb.restore();
            }
            case AMI_CUT -> {
                target = "sim" + (1 + random.nextInt(NODES));
                simControl(target, "cut-ami", new JsonObject().put("forMs", 2000));
                Thread.sleep(2000);
            }
            case NODE_KILL -> {
                target = "sim" + (1 + random.nextInt(NODES));
                simControl(target, "kill", null);
                Thread.sleep(3000 + random.nextInt(4000));
                simControl(target, "start", null);
            }
            case SILENT_NODE -> {
                target = "sim" + (1 + random.nextInt(NODES));
                simControl(target, "silent", null);
                Thread.sleep(5000 + random.nextInt(5000));
                simControl(target, "resume", null);
            }
            default -> throw new IllegalStateException(k.name());
        }
        long restored = now();
        long before = ended.get();
        long recovered = -1;
        long until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
            if (ended.get() > before) {
                recovered = now();
                break;
            }
            Thread.sleep(100);
        }
        Injected f = new Injected(k, target, start, restored, recovered);
        System.out.println("[fault] " + f.line());
        return f;
    }

    /** Starts instance i again; a start that does not get ready (a loaded machine) is tried again. */
    private void restart(int i) throws Exception {
        for (int tries = 1; ; tries++) {
            try {
                instances[i] = stack.huibo(envs.get(i));
                return;
            } catch (IllegalStateException e) {
                System.out.println("[fault] h" + (i + 1) + " start " + tries + " failed: " + e.getMessage());
                if (tries == 3) {
                    throw e;
                }
            }
        }
    }

    private void simControl(String node, String op, JsonObject body) throws Exception {
        HttpResponse<String> r = stack.post("http://127.0.0.1:" + sim.port("control") + "/nodes/" + node + "/" + op,
                body == null ? "" : body.encode(), null, Map.of());
        assertThat(r.statusCode()).as("sim %s %s: %s", node, op, r.body()).isBetween(200, 299);
    }

    private long now() {
        return System.currentTimeMillis() - t0;
    }

    /** Attempts ended so far, counted from MariaDB directly (not through the proxy the instances use). */
    private void watchProgress(AtomicBoolean running) {
        while (running.get()) {
            try {
                ended.set(stack.count("SELECT COUNT(*) FROM attempts WHERE ended_at IS NOT NULL"));
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the schema may not be there yet
            }
        }
    }

    // ---------------------------------------------------------------- callbacks

    private void submitAll(long perCallbackMs) {
        Random r = new Random(SEED * 31 + 7);
        for (int n = 0; n < CALLBACKS; n++) {
            String key = "fault-" + SEED + "-" + n;
            // the last digit decides how the simulated person answers: mostly answers, some busy,
            // no answer, congestion
            int pick = r.nextInt(10);
            String number = String.format("+861380%06d%d", n, pick);
            String destination = String.format("+861390%06d%d", n, r.nextInt(7));
            JsonObject body = new JsonObject().put("number", number).put("destination", destination)
                    .put("maxAttempts", 3);
            submit(key, body);
            try {
                Thread.sleep(perCallbackMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Until an instance accepts it: a refused or unanswered request is repeated with the same key. */
    private void submit(String key, JsonObject body) {
        String id = stack.submitRepeating(instances, 0, body, key, Duration.ofMinutes(2), Duration.ofMillis(250));
        if (id != null) {
            accepted.put(key, id);
        }
    }

    // ---------------------------------------------------------------- checks

    private Map<String, String> states() throws Exception {
        return stack.pairs("SELECT id, state FROM callbacks");
    }

    private static int attemptOf(JsonObject call) {
        Object a = call.getValue("attempt");
        return a == null ? 0 : Integer.parseInt(a.toString());
    }

    private void report(List<Injected> faults, Map<String, String> states) throws Exception {
        JsonArray calls = stack.simCalls(sim);
        Set<String> attemptRows = new HashSet<>();
        try (Connection c = stack.db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT channel_id FROM attempts")) {
            while (rs.next()) {
                attemptRows.add(rs.getString(1));
            }
        }
        Map<String, Integer> byChannel = new HashMap<>();
        Map<String, List<JsonObject>> byCallback = new HashMap<>();
        int originates = 0;
        List<String> unrecorded = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonObject call = calls.getJsonObject(i);
            if (!"callback".equals(call.getString("kind", "callback")) || call.getString("callbackId") == null) {
                continue;
            }
            originates++;
            String ch = call.getString("channelId");
            byChannel.merge(ch, 1, Integer::sum);
            byCallback.computeIfAbsent(call.getString("callbackId"), k -> new ArrayList<>()).add(call);
            if (!attemptRows.contains(ch)) {
                unrecorded.add(ch);
            }
        }
        List<String> doubleDialed = byChannel.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).toList();
        List<String> calledAgain = new ArrayList<>();
        byCallback.forEach((id, list) -> {
            list.sort((a, b) -> Integer.compare(attemptOf(a), attemptOf(b)));
            for (int i = 0; i + 1 < list.size(); i++) {
                if ("answered".equals(list.get(i).getString("legBOutcome"))) {
                    calledAgain.add(id + " after " + list.get(i).getString("channelId"));
                    break;
                }
            }
        });
        Map<String, String> lost = new LinkedHashMap<>();
        int completed = 0;
        int failed = 0;
        for (Map.Entry<String, String> e : accepted.entrySet()) {
            String state = states.get(e.getValue());
            if ("completed".equals(state)) {
                completed++;
            } else if ("failed".equals(state) || "cancelled".equals(state)) {
                failed++;
            } else {
                lost.put(e.getValue(), state == null ? "not in MariaDB" : state);
            }
        }
        long stuck = states.values().stream().filter("dialing"::equals).count();

        System.out.println("[fault] seed " + SEED + ", " + faults.size() + " faults:");
        faults.forEach(f -> System.out.println("[fault] " + f.line()));
        System.out.printf("[fault] accepted %d of %d, completed %d, failed %d, originates %d%n", accepted.size(),
                CALLBACKS, completed, failed, originates);
        System.out.printf("[fault] lost %d, double dials %d, called again after connecting %d, unrecorded dials %d,"
                + " stuck in dialing %d%n", lost.size(), doubleDialed.size(), calledAgain.size(), unrecorded.size(), stuck);

        assertThat(accepted).as("accepted callbacks").hasSize(CALLBACKS);
        assertThat(lost).as("accepted callbacks without a final state").isEmpty();
        assertThat(doubleDialed).as("channels originated twice").isEmpty();
        assertThat(calledAgain).as("people called again after their call connected").isEmpty();
        assertThat(unrecorded).as("Originates without an attempt row").isEmpty();
        assertThat(stuck).as("callbacks stuck in dialing").isZero();
    }
}
