package io.huibo.redis;

import io.huibo.Stack;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of a test's own: primaries ({@code redis-server --cluster-enabled yes}) and, if asked,
 * replicas, on free loopback ports, data under a temporary directory, joined with
 * {@code redis-cli --cluster create}; {@link #close} stops them and removes the directory.
 */
public final class OwnRedisCluster implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(30);

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final java.util.Map<Integer, Process> processes = new java.util.LinkedHashMap<>();

    private OwnRedisCluster(Path dir) {
        this.dir = dir;
    }

    /** Primaries only, every node agreeing that all slots are served (cluster_state:ok). */
    public static OwnRedisCluster start(int primaries) throws Exception {
        return start(primaries, 0);
    }

    /** With {@code replicas} replicas per primary, each attached and in sync. */
    public static OwnRedisCluster start(int primaries, int replicas) throws Exception {
        OwnRedisCluster c = new OwnRedisCluster(Files.createTempDirectory("huibo-redis-cluster"));
        try {
            c.startNodes(primaries * (1 + replicas));
            c.create(replicas);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private void startNodes(int n) throws IOException, InterruptedException {
        // data ports base..base+n-1, cluster bus ports after them
        int base = Stack.freePortRange(2 * n);
        for (int i = 0; i < n; i++) {
            int port = base + i;
            Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
            processes.put(port, new ProcessBuilder("redis-server", "--port", Integer.toString(port),
                    "--cluster-port", Integer.toString(base + n + i), "--bind", "127.0.0.1",
                    "--protected-mode", "no", "--cluster-enabled", "yes", "--cluster-config-file",
                    nodeDir.resolve("nodes.conf").toString(), "--cluster-node-timeout", "2000",
                    "--dir", nodeDir.toString(), "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true).redirectOutput(nodeDir.resolve("log").toFile()).start());
            ports.add(port);
        }
        for (int port : ports) {
            waitUntil(() -> {
                try (var s = new java.net.Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            }, "redis-server listening on " + port);
        }
    }

    private void create(int replicas) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(p -> cmd.add("127.0.0.1:" + p));
        cmd.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(START.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-cli --cluster create failed: " + out);
        }
        for (int port : ports) {
            waitUntil(() -> onNode(port, r -> r.clusterInfo().contains("cluster_state:ok")),
                    "node " + port + " to see the cluster ok");
            if (replicas > 0) {
                waitUntil(() -> onNode(port, r -> {
                    String info = r.info("replication");
                    return info.contains("role:slave") ? info.contains("master_link_status:up")
                            : info.contains("connected_slaves:" + replicas);
                }), "node " + port + " to have its replicas (or its primary) in sync");
            }
        }
    }

    /** SIGKILL for one node, as a crashed host. */
    public void kill(int port) throws InterruptedException {
        Process p = processes.get(port);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Waits until the live nodes agree that a primary other than {@code former} serves the slot; its port. */
    public int awaitNewOwner(int slot, int former) throws InterruptedException {
        waitUntil(() -> live().allMatch(port -> onNode(port, r -> r.clusterInfo().contains("cluster_state:ok")))
                && owner(slot) != former, "another primary to take slot " + slot + " over from " + former);
        return owner(slot);
    }

    private Stream<Integer> live() {
        return ports.stream().filter(p -> processes.get(p).isAlive());
    }

    /** As {@code redis.uri} takes a cluster: every node a seed. */
    public ItRedis redis() {
        return new ItRedis("redis://" + ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")),
                true);
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** The slot every key of a prefix is in. */
    public static int slotOf(String prefix) {
        return SlotHash.getSlot("{" + prefix + "}");
    }

    /** The port of the primary that serves {@code slot}, as the first live node sees it. */
    public int owner(int slot) {
        return onNode(live().findFirst().orElseThrow(), r -> {
            for (String line : r.clusterNodes().split("\n")) {
                String[] f = line.trim().split(" ");
                for (int i = 8; i < f.length; i++) {
                    String[] range = f[i].split("-");
                    if (range[0].startsWith("[")) {
                        continue;
                    }
                    if (!f[2].contains("master") || f[2].contains("fail")) {
                        break;
                    }
                    int lo = Integer.parseInt(range[0]);
                    int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                    if (slot >= lo && slot <= hi) {
                        return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                    }
                }
            }
            throw new IllegalStateException("no node serves slot " + slot);
        });
    }

    /**
     * Reshards one slot to the primary on {@code toPort}, its keys with it (as {@code redis-cli --cluster
     * reshard} does: IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE on every primary), and waits until every
     * node agrees.
     */
    public void moveSlot(int slot, int toPort) throws InterruptedException {
        int fromPort = owner(slot);
        if (fromPort == toPort) {
            return;
        }
        String from = onNode(fromPort, RedisCommands::clusterMyId);
        String to = onNode(toPort, RedisCommands::clusterMyId);
        onNode(toPort, r -> r.clusterSetSlotImporting(slot, from));
        onNode(fromPort, r -> {
            r.clusterSetSlotMigrating(slot, to);
            while (true) {
                List<String> keys = r.clusterGetKeysInSlot(slot, 100);
                if (keys.isEmpty()) {
                    return null;
                }
                r.migrate("127.0.0.1", toPort, 0, 5000, MigrateArgs.Builder.keys(keys));
            }
        });
        onNode(toPort, r -> r.clusterSetSlotNode(slot, to));
        onNode(fromPort, r -> r.clusterSetSlotNode(slot, to));
        for (int port : ports) {
            if (port != toPort && port != fromPort) {
                onNode(port, r -> r.clusterSetSlotNode(slot, to));
            }
        }
        for (int port : ports) {
            waitUntil(() -> onNode(port, r -> r.clusterInfo().contains("cluster_state:ok")
                    && owner(slot) == toPort), "the cluster to agree on slot " + slot);
        }
    }

    /** A plain connection to one node (no redirects followed). */
    public <T> T onNode(int port, java.util.function.Function<RedisCommands<String, String>, T> work) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8)) {
            return work.apply(c.sync());
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier ok, String what) throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (ok.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // a node still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out waiting for " + what);
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
