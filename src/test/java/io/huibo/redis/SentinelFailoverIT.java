package io.huibo.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.huibo.TcpProxy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a Redis primary, its replica and three Sentinels (Debian's redis-server and
 * redis-sentinel, on loopback ports, data in temp dirs), two Huibo instances that reach Redis through
 * a {@code redis-sentinel://} URI, and the simulator. Callbacks keep arriving while the primary is
 * killed with SIGKILL; Sentinel promotes the replica, Lettuce finds it through the Sentinels at its
 * reconnect, and the instances index MariaDB again for the new serving process. The replica follows
 * the primary through a proxy that stops forwarding for {@link #LOST_MS} before the kill and then
 * drops what it held, so the promoted replica lacks the last writes (enqueues, claims, attempt marks,
 * acks), as asynchronous replication may. Then every accepted callback must have completed with
 * exactly one call.
 * Prints the promotion time, the time until the first Originate after the kill and how many callbacks
 * the re-index put back.
 */
@Tag("ha")
class SentinelFailoverIT {
    private static final String MASTER = "huibo";
    private static final long KILL_AFTER_MS = 8_000;
    private static final long SUBMIT_FOR_MS = 25_000;
    private static final long SUBMIT_EVERY_MS = 80;
    /** How long the replica gets no writes before the primary dies: the writes the failover loses. */
    private static final long LOST_MS = 1500;
    private static final Pattern REINDEXED = Pattern.compile("re-indexed (\\d+) callbacks");

    private final List<Process> servers = new CopyOnWriteArrayList<>();
    private Path dir;
    private Stack stack;
    private Stack.Proc sim;
    private final Stack.Proc[] instances = new Stack.Proc[2];
    private Process primary;
    private TcpProxy replication;
    private int primaryPort;
    private int replicaPort;
    private final int[] sentinelPorts = new int[3];
    private final Map<String, String> accepted = new ConcurrentHashMap<>();

    @BeforeEach
    void up() throws Exception {
        dir = Files.createTempDirectory("huibo-sentinel");
        primaryPort = Stack.freePort();
        replicaPort = Stack.freePort();
        primary = redis("primary", primaryPort);
        replication = new TcpProxy("127.0.0.1", primaryPort);
        redis("replica", replicaPort, "--replicaof", "127.0.0.1", Integer.toString(replication.port()));
        awaitTrue("the replica in sync", Duration.ofSeconds(20),
                () -> cli(replicaPort, "INFO", "replication").contains("master_link_status:up"));
        StringBuilder uri = new StringBuilder("redis-sentinel://");
        for (int i = 0; i < sentinelPorts.length; i++) {
            sentinelPorts[i] = Stack.freePort();
            sentinel(i, sentinelPorts[i]);
            uri.append(i == 0 ? "" : ",").append("127.0.0.1:").append(sentinelPorts[i]);
        }
        uri.append('#').append(MASTER);
        for (int port : sentinelPorts) {
            awaitTrue("sentinel " + port + " to know the replica and the other sentinels", Duration.ofSeconds(30),
                    () -> {
                        Map<String, String> m = pairs(cli(port, "SENTINEL", "MASTER", MASTER));
                        return "1".equals(m.get("num-slaves")) && "2".equals(m.get("num-other-sentinels"));
                    });
        }

        stack = new Stack();
        sim = stack.sim(2, 40, """
                defaults:
                  talk: 2s
                """);
        for (int i = 0; i < instances.length; i++) {
            Map<String, String> env = stack.huiboEnv(sim, 40);
            env.put("HUIBO_REDIS_URI", uri.toString());
            env.put("HUIBO_INSTANCE_ID", "s" + (i + 1));
            instances[i] = stack.huibo(env);
        }
    }

    @AfterEach
    void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (replication != null) {
            replication.close();
        }
        for (Process p : servers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void dispatchFollowsTheFailoverAndNoCallbackIsLostOrDialedTwice() throws Exception {
        long t0 = System.currentTimeMillis();
        AtomicBoolean submitting = new AtomicBoolean(true);
        Thread submitter = new Thread(() -> submitAll(t0, submitting), "sentinel-submitter");
        submitter.setDaemon(true);
        submitter.start();

        Thread.sleep(KILL_AFTER_MS);
        assertThat(stack.simCalls(sim).size()).as("calls before the failover").isPositive();
        assertThat(cli(replicaPort, "INFO", "replication")).as("the replica follows the primary through the proxy")
                .contains("master_port:" + replication.port());
        replication.stall();
        Thread.sleep(LOST_MS);
        long lostBytes = offset(primaryPort) - offset(replicaPort);
        long liveAtKill = live(stack.simCalls(sim));
        Instant killedAt = Instant.now();
        primary.destroyForcibly();
        replication.cut();
        primary.waitFor(10, TimeUnit.SECONDS);
        awaitTrue("a sentinel to name the replica as the master", Duration.ofSeconds(30),
                () -> cli(sentinelPorts[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
                        .contains(Integer.toString(replicaPort)));
        Instant promotedAt = Instant.now();

        submitter.join(Duration.ofMinutes(3).toMillis());
        assertThat(submitter.isAlive()).as("submitting finished").isFalse();
        Map<String, String> states = states();
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(3).toMillis();
        while (System.currentTimeMillis() < deadline && !Stack.allEnded(accepted.values(), states)) {
            Thread.sleep(500);
            states = states();
        }
        Thread.sleep(3000); // a second call after the final state, if there were one, would be visible by now

        JsonArray calls = stack.simCalls(sim);
        Map<String, Integer> callsPerCallback = new HashMap<>();
        Map<String, Integer> callsPerChannel = new HashMap<>();
        Instant resumedAt = null;
        for (int i = 0; i < calls.size(); i++) {
            JsonObject c = calls.getJsonObject(i);
            if (c.getString("callbackId") == null) {
                continue;
            }
            callsPerCallback.merge(c.getString("callbackId"), 1, Integer::sum);
            callsPerChannel.merge(c.getString("channelId"), 1, Integer::sum);
            Instant started = Instant.parse(c.getString("startedAt"));
            if (started.isAfter(promotedAt.minusSeconds(1)) && (resumedAt == null || started.isBefore(resumedAt))) {
                resumedAt = started;
            }
        }
        Map<String, Integer> attemptRows = attemptRows();
        int reindexed = 0;
        List<String> sawFailover = new ArrayList<>();
        for (Stack.Proc p : instances) {
            int n = reindexedAfterFailover(p.output());
            if (n >= 0) {
                sawFailover.add(p.toString());
                reindexed += n;
            }
        }

        Map<String, String> wrong = new LinkedHashMap<>();
        for (String id : accepted.values()) {
            String state = states.get(id);
            int dialed = callsPerCallback.getOrDefault(id, 0);
            int rows = attemptRows.getOrDefault(id, 0);
            if (!"completed".equals(state) || dialed != 1 || rows != 1) {
                wrong.put(id, "state " + state + ", calls " + dialed + ", attempt rows " + rows);
            }
        }
        List<String> channelsTwice = callsPerChannel.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).toList();

        System.out.printf("[sentinel] accepted %d callbacks, %d calls; primary killed %d ms into the run%n",
                accepted.size(), callsPerChannel.size(), killedAt.toEpochMilli() - t0);
        System.out.printf("[sentinel] calls up at the kill: %d; replication stream the replica missed: %d bytes "
                + "(%d ms of writes)%n", liveAtKill, lostBytes, LOST_MS);
        System.out.printf("[sentinel] replica promoted %.1f s after the kill; first Originate after it %s%n",
                ms(killedAt, promotedAt) / 1000.0,
                resumedAt == null ? "never" : String.format("%.1f s after the kill", ms(killedAt, resumedAt) / 1000.0));
        System.out.printf("[sentinel] instances that re-indexed for the new master: %d of %d, callbacks put back: %d%n",
                sawFailover.size(), instances.length, reindexed);
        System.out.printf("[sentinel] not completed exactly once: %d, channels dialed twice: %d%n", wrong.size(),
                channelsTwice.size());
        wrong.entrySet().stream().limit(20).forEach(e -> System.out.println("[sentinel]   " + e.getKey() + ": "
                + e.getValue()));

        assertThat(accepted).as("accepted callbacks").hasSizeGreaterThan(50);
        assertThat(lostBytes).as("writes the promoted replica lacks").isPositive();
        assertThat(resumedAt).as("an Originate after the promotion").isNotNull();
        assertThat(sawFailover).as("instances that re-indexed MariaDB for the promoted replica")
                .hasSize(instances.length);
        assertThat(channelsTwice).as("channels originated twice").isEmpty();
        assertThat(wrong).as("accepted callbacks not completed with exactly one call"
                + instances[0].recentProblems() + instances[1].recentProblems()).isEmpty();
    }

    // ---------------------------------------------------------------- callbacks

    /** One callback every few ms, alternating instances, each repeated with its key until accepted. */
    private void submitAll(long t0, AtomicBoolean running) {
        int n = 0;
        while (System.currentTimeMillis() - t0 < SUBMIT_FOR_MS) {
            // numbers ending 0-6 answer at once in the simulator: a callback needs exactly one call
            String number = String.format("+4930%07d%d", n, n % 7);
            String destination = String.format("+4940%07d%d", n, (n + 3) % 7);
            JsonObject body = new JsonObject().put("number", number).put("destination", destination)
                    .put("maxAttempts", 3);
            submit("sentinel-" + n, body, n);
            n++;
            try {
                Thread.sleep(SUBMIT_EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
        running.set(false);
    }

    private void submit(String key, JsonObject body, int n) {
        String id = stack.submitRepeating(instances, n, body, key, Duration.ofMinutes(1), Duration.ofMillis(200));
        if (id != null) {
            accepted.put(key, id);
        }
    }

    private Map<String, String> states() throws Exception {
        return stack.pairs("SELECT id, state FROM callbacks");
    }

    private Map<String, Integer> attemptRows() throws Exception {
        Map<String, Integer> out = new HashMap<>();
        stack.pairs("SELECT callback_id, COUNT(*) FROM attempts GROUP BY callback_id")
                .forEach((id, n) -> out.put(id, Integer.parseInt(n)));
        return out;
    }

    /** The count of the first re-index an instance ran after it saw another Redis process; -1: none. */
    private static int reindexedAfterFailover(List<String> output) {
        boolean seen = false;
        for (String line : output) {
            if (line.contains("another Redis process serves the data")) {
                seen = true;
            } else if (seen) {
                Matcher m = REINDEXED.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        }
        return -1;
    }

    private static long live(JsonArray calls) {
        long n = 0;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.getJsonObject(i).getBoolean("live", false)) {
                n++;
            }
        }
        return n;
    }

    /** The replication offset a Redis has reached (a replica: what it has applied of the primary's stream). */
    private static long offset(int port) throws Exception {
        Matcher m = Pattern.compile("master_repl_offset:(\\d+)").matcher(cli(port, "INFO", "replication"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long ms(Instant from, Instant to) {
        return Duration.between(from, to).toMillis();
    }

    // ---------------------------------------------------------------- Redis and Sentinel

    private Process redis(String name, int port, String... extra) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--dir", d.toString(), "--appendonly", "yes", "--save", "", "--protected-mode", "no"));
        cmd.addAll(List.of(extra));
        return start(cmd, d, port);
    }

    private Process sentinel(int i, int port) throws Exception {
        Path d = Files.createDirectories(dir.resolve("sentinel" + i));
        // Sentinel rewrites its file as it learns the topology: one writable file per sentinel
        Path conf = d.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "dir " + d,
                "sentinel monitor " + MASTER + " 127.0.0.1 " + primaryPort + " 2",
                "sentinel down-after-milliseconds " + MASTER + " 1000",
                // Sentinel points a replica that follows another address (our proxy) at the master once
                // it has done so for failover-timeout: long enough that it stays behind the proxy
                "sentinel failover-timeout " + MASTER + " 120000",
                "sentinel parallel-syncs " + MASTER + " 1",
                ""));
        return start(List.of("redis-sentinel", conf.toString()), d, port);
    }

    private Process start(List<String> cmd, Path d, int port) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(d.resolve("log").toFile()).start();
        servers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(cmd.get(0) + " did not start on " + port + ": "
                + Files.readString(d.resolve("log")));
    }

    private static String cli(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(5, TimeUnit.SECONDS);
        return out;
    }

    /** redis-cli's reply to SENTINEL MASTER: one line per field name, then its value. */
    private static Map<String, String> pairs(String reply) {
        String[] lines = reply.strip().split("\n");
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < lines.length; i += 2) {
            m.put(lines[i].strip(), lines[i + 1].strip());
        }
        return m;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
