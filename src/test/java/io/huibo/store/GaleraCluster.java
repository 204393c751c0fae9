package io.huibo.store;

import io.huibo.Stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A MariaDB Galera cluster on this machine for a test: Debian's mariadbd with galera-4, each node with
 * its own data directory, socket and ports on 127.0.0.1 (client, group communication, IST, rsync SST),
 * the first bootstrapped with --wsrep-new-cluster. {@link #close()} kills every node and deletes the
 * data. Administration goes through the mariadb client on a node's socket as root (no password).
 */
final class GaleraCluster implements AutoCloseable {
    static final String PROVIDER = "/usr/lib/galera/libgalera_smm.so";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    final class Node {
        final int index;
        final Path dir;
        final int port;
        final int gcommPort;
        final int istPort;
        final int sstPort;
        Process process;

        Node(int index) throws IOException {
            this.index = index;
            this.dir = base.resolve("node" + index);
            this.port = Stack.freePort();
            this.gcommPort = Stack.freePort();
            this.istPort = Stack.freePort();
            this.sstPort = Stack.freePort();
        }

        Path socket() {
            return dir.resolve("mysqld.sock");
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        /** SIGKILL: the node stops mid-write, as a crashed host does. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        /** SIGTERM: a clean shutdown; the node leaves the cluster first. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill9();
            }
        }

        /** Runs SQL as root on this node; its output (tab-separated, no headers). */
        String sql(String statements) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("mariadb", "--no-defaults", "-uroot", "-S", socket().toString(),
                    "-N", "-B", "-e", statements).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("node " + index + ": " + out);
            }
            return out;
        }

        Optional<String> status(String variable) {
            try {
                String line = sql("SHOW GLOBAL STATUS LIKE '" + variable + "'");
                String[] parts = line.split("\t");
                return parts.length == 2 ? Optional.of(parts[1]) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }

        void start(boolean bootstrap) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("/usr/sbin/mariadbd", "--no-defaults",
                    "--datadir=" + dir.resolve("data"), "--tmpdir=" + dir.resolve("tmp"), "--socket=" + socket(), "--port=" + port,
                    "--bind-address=127.0.0.1", "--pid-file=" + dir.resolve("mysqld.pid"),
                    "--log-error=" + dir.resolve("error.log"), "--skip-name-resolve",
                    "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=32M", "--max-connections=300",
                    "--binlog-format=ROW", "--innodb-autoinc-lock-mode=2",
                    "--wsrep-on=ON", "--wsrep-provider=" + PROVIDER, "--wsrep-cluster-name=huibo-it",
                    "--wsrep-cluster-address=" + clusterAddress(), "--wsrep-node-name=node" + index,
                    "--wsrep-node-address=127.0.0.1",
                    "--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:" + gcommPort
                            + ";ist.recv_addr=127.0.0.1:" + istPort + ";gcache.size=64M",
                    "--wsrep-sst-method=rsync", "--wsrep-sst-receive-address=127.0.0.1:" + sstPort));
            if (ROOT) {
                cmd.add("--user=mysql");
            }
            if (bootstrap) {
                cmd.add("--wsrep-new-cluster");
            }
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        }

        String log() {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("error.log"));
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no error.log: " + e.getMessage() + ")";
            }
        }
    }

    private final Path base;
    final List<Node> nodes = new ArrayList<>();

    GaleraCluster(int size) throws IOException {
        base = Files.createTempDirectory("huibo-galera");
        for (int i = 0; i < size; i++) {
            nodes.add(new Node(i));
        }
    }

    private String clusterAddress() {
        return "gcomm://" + nodes.stream().map(n -> "127.0.0.1:" + n.gcommPort).collect(Collectors.joining(","));
    }

    /** Host list of a connector failover URL, in node order: "127.0.0.1:p0,127.0.0.1:p1,...". */
    String hosts() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.port).collect(Collectors.joining(","));
    }

    /** Initialises every node's data directory, bootstraps the first, joins the others (by SST); all synced. */
    void start(Duration timeout) throws Exception {
        for (Node n : nodes) {
            Files.createDirectories(n.dir.resolve("tmp"));
        }
        chownToMysql();
        // one after the other: install-db runs at once trip over each other's temporary tables
        for (Node n : nodes) {
            List<String> cmd = new ArrayList<>(List.of("mariadb-install-db", "--no-defaults",
                    "--datadir=" + n.dir.resolve("data"), "--tmpdir=" + n.dir.resolve("tmp"),
                    "--auth-root-authentication-method=normal", "--skip-test-db"));
            if (ROOT) {
                cmd.add("--user=mysql");
            }
            Process install = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(n.dir.resolve("install.log").toFile()).start();
            if (!install.waitFor(60, TimeUnit.SECONDS) || install.exitValue() != 0) {
                throw new IllegalStateException("mariadb-install-db failed: "
                        + Files.readString(n.dir.resolve("install.log")));
            }
        }
        chownToMysql();
        nodes.get(0).start(true);
        awaitSynced(nodes.get(0), timeout);
        for (Node n : nodes.subList(1, nodes.size())) {
            n.start(false);
        }
        for (Node n : nodes.subList(1, nodes.size())) {
            awaitSynced(n, timeout);
        }
    }

    /** As root, mariadbd and its tools switch to mysql, which must own the data, socket and logs. */
    private void chownToMysql() throws IOException, InterruptedException {
        if (ROOT && new ProcessBuilder("chown", "-R", "mysql:mysql", base.toString()).start().waitFor() != 0) {
            throw new IllegalStateException("chown mysql " + base + " failed");
        }
    }

    void awaitSynced(Node n, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!n.status("wsrep_local_state_comment").filter("Synced"::equals).isPresent()) {
            if (!n.alive() || System.nanoTime() > end) {
                throw new IllegalStateException("Galera node " + n.index + " not synced:\n" + n.log());
            }
            Thread.sleep(200);
        }
    }

    /** The size of the primary component as {@code n} sees it (empty: it does not answer). */
    Optional<Integer> clusterSize(Node n) {
        return n.status("wsrep_cluster_size").map(Integer::parseInt);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Node n : nodes) {
            if (n.process != null) {
                n.process.destroyForcibly();
            }
        }
        for (Node n : nodes) {
            if (n.process != null) {
                n.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
