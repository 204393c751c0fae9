package io.huibo.store;

import io.huibo.Stack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, MariaDB that fails over: two Huibo instances on a 3-node Galera cluster through the
 * connector's sequential failover URL, callbacks submitted all along, and the node they write to is
 * killed (SIGKILL) mid-run, later the next one is shut down cleanly. Every accepted callback ends
 * completed, dialed once, with its attempt recorded once; the figures (requests refused, the longest
 * wait for an answer, time until calls complete again) are printed.
 */
@Tag("ha")
class GaleraFailoverIT {
    private static final int CLIENTS = 4;
    private static final Duration BEFORE_KILL = Duration.ofSeconds(6);
    private static final Duration AFTER_KILL = Duration.ofSeconds(15);
    private static final Duration AFTER_STOP = Duration.ofSeconds(12);
    private static final AtomicLong NUMBERS = new AtomicLong(1_000_000 + (System.nanoTime() & 0xfffff));

    /** What one client saw for one callback: first try, acceptance, how many answers were not 2xx. */
    private record Accepted(String id, String key, long firstTryNanos, long acceptedNanos, int refused) {
    }

    @Test
    void acceptedCallbacksSurviveTheLossOfTheNodeHuiboWritesTo() throws Exception {
        try (GaleraCluster galera = new GaleraCluster(3)) {
            long bootStart = System.nanoTime();
            galera.start(Duration.ofSeconds(90));
            System.out.printf("galera: 3 nodes synced in %d ms%n", (System.nanoTime() - bootStart) / 1_000_000);
            for (String host : List.of("127.0.0.1", "localhost")) {
                galera.nodes.get(0).sql("CREATE USER '" + ItDatabase.USER + "'@'" + host + "' IDENTIFIED BY '"
                        + ItDatabase.PASSWORD + "'; GRANT ALL PRIVILEGES ON `huibo%`.* TO '" + ItDatabase.USER
                        + "'@'" + host + "'");
            }
            // galeraAllowedState: the connector skips a node that is not synced (joining, donor, or cut
            // off from the primary component) as it skips one that does not answer
            try (Stack stack = new Stack("jdbc:mariadb:sequential://" + galera.hosts() + "/", "?galeraAllowedState=4")) {
                run(galera, stack);
            }
        }
    }

    private void run(GaleraCluster galera, Stack stack) throws Exception {
        Stack.Proc sim = stack.sim(2, 60, null);
        List<Stack.Proc> huibos = List.of(stack.huibo(stack.huiboEnv(sim, 30)), stack.huibo(stack.huiboEnv(sim, 30)));

        List<Accepted> accepted = new CopyOnWriteArrayList<>();
        List<String> gaveUp = new CopyOnWriteArrayList<>();
        AtomicInteger refusals = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            int first = t;
            Thread c = new Thread(() -> submitUntilStopped(stack, huibos, first, stop, accepted, gaveUp, refusals),
                    "client-" + t);
            c.start();
            clients.add(c);
        }

        Thread.sleep(BEFORE_KILL.toMillis());
        GaleraCluster.Node writer = writerNode(galera);
        int acceptedBeforeKill = accepted.size();
        long killNanos = System.nanoTime();
        writer.kill9();
        System.out.printf("galera: killed node %d (the one Huibo wrote to) after %d accepted callbacks%n",
                writer.index, acceptedBeforeKill);

        Thread.sleep(AFTER_KILL.toMillis());
        GaleraCluster.Node second = writerNode(galera);
        int acceptedBeforeStop = accepted.size();
        long stopNanos = System.nanoTime();
        second.stop();
        System.out.printf("galera: stopped node %d (SIGTERM, the next one written to) after %d accepted callbacks%n",
                second.index, acceptedBeforeStop);

        Thread.sleep(AFTER_STOP.toMillis());
        stop.set(true);
        for (Thread c : clients) {
            c.join(90_000);
        }
        assertThat(gaveUp).as("callbacks refused for good, or not accepted within 60 s").isEmpty();

        Set<String> ids = ConcurrentHashMap.newKeySet();
        accepted.forEach(a -> ids.add(a.id()));
        assertThat(ids).as("one callback per idempotency key").hasSize(accepted.size());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.count("SELECT COUNT(*) FROM callbacks WHERE state IN ('queued', 'dialing')") == 0);

        // every accepted callback completed, attempted once, its completion recorded once
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks")).isEqualTo(ids.size());
        Map<String, String> states = new HashMap<>();
        Map<String, Integer> attempts = new HashMap<>();
        try (Connection c = stack.db(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id, state FROM callbacks")) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT callback_id, COUNT(*) FROM attempts "
                    + "WHERE outcome = 'connected' AND ended_at IS NOT NULL GROUP BY callback_id")) {
                while (rs.next()) {
                    attempts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        for (String id : ids) {
            if (!"completed".equals(states.get(id)) || !Integer.valueOf(1).equals(attempts.get(id))) {
                System.out.println(story(stack, huibos, id));
            }
        }
        boolean wrong = ids.stream().anyMatch(id -> !"completed".equals(states.get(id))
                || !Integer.valueOf(1).equals(attempts.get(id)));
        for (Stack.Proc h : huibos) {
            h.output().stream().filter(l -> l.contains("GroupCommit") || (wrong && (l.contains(" WARN ")
                    || l.contains(" ERROR ")))).limit(60).forEach(l -> System.out.println("[" + h.port("http") + "] " + l));
        }
        for (String id : ids) {
            assertThat(states.get(id)).as("state of " + id).isEqualTo("completed");
            assertThat(attempts.get(id)).as("connected attempts of " + id).isEqualTo(1);
        }
        assertThat(stack.count("SELECT COUNT(*) FROM attempts")).isEqualTo(ids.size());
        assertThat(stack.count("SELECT COUNT(*) FROM (SELECT callback_id FROM callback_events "
                + "WHERE to_state = 'completed' GROUP BY callback_id HAVING COUNT(*) > 1) d")).isZero();
        JsonArray calls = stack.simCalls(sim);
        Map<String, Integer> dialed = new HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            dialed.merge(calls.getJsonObject(i).getString("callbackId"), 1, Integer::sum);
        }
        for (String id : ids) {
            assertThat(dialed.get(id)).as("Originates for " + id).isEqualTo(1);
        }
        assertThat(dialed.keySet()).isEqualTo(ids);

        report("kill -9", killNanos, stopNanos, accepted);
        report("stop", stopNanos, Long.MAX_VALUE, accepted);
        long retries = huibos.stream().flatMap(h -> h.output().stream())
                .filter(l -> l.contains("running it again on a fresh connection")).count();
        long settled = huibos.stream().flatMap(h -> h.output().stream())
                .filter(l -> l.contains("whose answer was lost had happened")).count();
        System.out.printf("galera: %d callbacks accepted, all completed and dialed once; %d answers not 2xx "
                        + "(sent again with the same Idempotency-Key); %d transactions run again on a fresh "
                        + "connection, %d lost COMMIT answers found committed%n",
                ids.size(), refusals.get(), retries, settled);
    }

    /** What the database and the instances' logs say about one callback: for a failure's message. */
    private static String story(Stack stack, List<Stack.Proc> huibos, String id) throws Exception {
        StringBuilder sb = new StringBuilder("--- callback " + id + "\n");
        try (Connection c = stack.db(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT at, kind, from_state, to_state, attempt, detail FROM "
                    + "callback_events WHERE callback_id = '" + id + "' ORDER BY id")) {
                while (rs.next()) {
                    sb.append("event ").append(rs.getString(1)).append(' ').append(rs.getString(2)).append(' ')
                            .append(rs.getString(3)).append(" -> ").append(rs.getString(4)).append(" #")
                            .append(rs.getString(5)).append(' ').append(rs.getString(6)).append('\n');
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT number, node_id, started_at, ended_at, outcome, detail "
                    + "FROM attempts WHERE callback_id = '" + id + "' ORDER BY number")) {
                while (rs.next()) {
                    sb.append("attempt ").append(rs.getInt(1)).append(' ').append(rs.getString(2)).append(' ')
                            .append(rs.getString(3)).append(' ').append(rs.getString(4)).append(' ')
                            .append(rs.getString(5)).append(' ').append(rs.getString(6)).append('\n');
                }
            }
        }
        for (Stack.Proc h : huibos) {
            h.output().stream().filter(l -> l.contains(id)).forEach(l -> sb.append("log ").append(l).append('\n'));
        }
        return sb.toString();
    }

    /** The node with the most connections of the huibo user: where the sequential URL sends the writes. */
    private static GaleraCluster.Node writerNode(GaleraCluster galera) throws Exception {
        GaleraCluster.Node best = null;
        int most = -1;
        for (GaleraCluster.Node n : galera.nodes) {
            if (!n.alive()) {
                continue;
            }
            int count = Integer.parseInt(n.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '"
                    + ItDatabase.USER + "'"));
            if (count > most) {
                most = count;
                best = n;
            }
        }
        System.out.printf("galera: node %d holds %d huibo connections%n", best.index, most);
        return best;
    }

    /**
     * The figures of one failure: answers refused and the longest wait of a submit that started around
     * it; the longest gap between acceptances (with 4 clients, about how long nothing could be written).
     */
    private static void report(String what, long atNanos, long untilNanos, List<Accepted> accepted) {
        long windowStart = atNanos - 1_000_000_000L;
        long windowEnd = Math.min(untilNanos, atNanos + 10_000_000_000L);
        long longestWait = 0;
        int refused = 0;
        List<Long> times = new ArrayList<>();
        for (Accepted a : accepted) {
            if (a.acceptedNanos() >= windowStart && a.firstTryNanos() <= windowEnd) {
                longestWait = Math.max(longestWait, a.acceptedNanos() - a.firstTryNanos());
                refused += a.refused();
            }
            if (a.acceptedNanos() >= windowStart && a.acceptedNanos() <= Math.min(untilNanos, atNanos + 30_000_000_000L)) {
                times.add(a.acceptedNanos());
            }
        }
        times.sort(Long::compare);
        long gap = 0;
        for (int i = 1; i < times.size(); i++) {
            gap = Math.max(gap, times.get(i) - times.get(i - 1));
        }
        System.out.printf("galera %s: submits around it: longest wait for acceptance %d ms, %d answers not 2xx; "
                        + "longest gap between acceptances %d ms%n",
                what, longestWait / 1_000_000, refused, gap / 1_000_000);
    }

    /** A client: submits callbacks one after another, each until accepted, sending it again with its key. */
    private static void submitUntilStopped(Stack stack, List<Stack.Proc> huibos, int first, AtomicBoolean stop,
                                           List<Accepted> accepted, List<String> gaveUp, AtomicInteger refusals) {
        int turn = first;
        while (!stop.get()) {
            long n = NUMBERS.incrementAndGet();
            String key = UUID.randomUUID().toString();
            String body = new JsonObject().put("number", "+4930" + n + "1").put("destination", "+4940" + n + "1").encode();
            long firstTry = System.nanoTime();
            int refused = 0;
            String id = null;
            while (id == null && System.nanoTime() - firstTry < 60_000_000_000L) {
                Stack.Proc h = huibos.get(turn++ % huibos.size());
                try {
                    HttpResponse<String> r = stack.post(stack.api(h) + "/v1/callbacks", body, Stack.TOKEN,
                            Map.of("Idempotency-Key", key));
                    if (r.statusCode() == 202 || r.statusCode() == 200) {
                        id = new JsonObject(r.body()).getString("id");
                        continue;
                    }
                    if (r.statusCode() != 503) {
                        gaveUp.add(key + ": " + r.statusCode() + " " + r.body());
                        return;
                    }
                } catch (java.io.IOException e) {
                    // a timeout: the same request goes again, as a client's would
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                refused++;
                refusals.incrementAndGet();
                sleep(200);
            }
            if (id == null) {
                gaveUp.add(key);
            } else {
                accepted.add(new Accepted(id, key, firstTry, System.nanoTime(), refused));
            }
            sleep(100);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
