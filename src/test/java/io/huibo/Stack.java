package io.huibo;

import io.huibo.bench.LocalPorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A whole Huibo installation for end-to-end tests, as real processes: the simulator and Huibo
 * instances started from target/huibo.jar, on the real Redis and MariaDB, with a database and a
 * Redis key prefix of their own so tests don't see each other.
 */
public final class Stack implements AutoCloseable {
    public static final String TOKEN = "it-token-" + UUID.randomUUID();
    public static final String SIM_SECRET = "sim-secret-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Path JAR = Path.of(System.getProperty("huibo.jar", "target/huibo.jar"));
    /**
     * The jar {@code serve} runs from; the simulator always runs from {@link #JAR}. Set
     * {@code -Dhuibo.server.jar=...} to run a test's Huibo from another build (e.g. the code before a
     * fix) against the current simulator.
     */
    private static final Path SERVER_JAR = Path.of(System.getProperty("huibo.server.jar", JAR.toString()));
    public static final Path MANAGER_CONF = Path.of("asterisk-conf/manager.conf");
    private static final String DB_HOST_URL = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String DB_USER = env("HUIBO_DB_USER", "huibo");
    private static final String DB_PASSWORD = env("HUIBO_DB_PASSWORD", "huibo-dev-password");
    private static final String REDIS_URI = env("HUIBO_REDIS_URI", "redis://127.0.0.1:6379");

    public final String dbName = "huibo_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    public final String redisPrefix = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final List<Proc> procs = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path dir;
    /** The MariaDB server(s) without a database ("jdbc:mariadb://127.0.0.1:3306/"), and the URL's query. */
    private final String dbServer;
    private final String dbOptions;

    /** The java command the processes run with: the build's JDK, unless a test gives another runtime. */
    private Path javaCommand = Path.of(System.getProperty("java.home"), "bin", "java");

    /** Runs the processes started from now on with this java command (e.g. a jlink'd runtime's). */
    public Stack withJava(Path javaCommand) {
        this.javaCommand = javaCommand;
        return this;
    }

    public Stack() {
        this(DB_HOST_URL, "");
    }

    /**
     * On other MariaDB servers than the one at 127.0.0.1:3306, e.g. a Galera cluster through a failover
     * URL: {@code server} ends with "/" ("jdbc:mariadb:sequential://127.0.0.1:p1,127.0.0.1:p2/"),
     * {@code options} is the URL's query ("" or "?galeraAllowedState=4").
     */
    public Stack(String server, String options) {
        this.dbServer = server;
        this.dbOptions = options;
        try {
            dir = Files.createTempDirectory("huibo-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v;
    }

    /** A started process with its output collected; {@link #kill9()} is a real SIGKILL. */
    public final class Proc {
        final Process process;
        final String name;
        final List<String> output = new CopyOnWriteArrayList<>();
        public final Map<String, Integer> ports = new HashMap<>();

        Proc(String name, Process p) {
            this.name = name;
            this.process = p;
        }

        public long pid() {
            return process.pid();
        }

        /** SIGTERM, as an operator's {@code kill} or a rolling restart sends; does not wait. */
        public void terminate() {
            process.destroy();
        }

        public boolean waitFor(Duration d) throws InterruptedException {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        public boolean alive() {
            return process.isAlive();
        }

        public List<String> output() {
            return output;
        }

        /** The last warnings and errors the process logged, with their stack traces: for assertion messages. */
        public String recentProblems() {
            try {
                // the process may have answered before the pump read what it logged about the answer
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<String> kept = new ArrayList<>();
            boolean inProblem = false;
            for (String line : output) {
                boolean starts = line.contains(" ERROR ") || line.contains(" WARN ") || line.contains("\"level\":\"ERROR\"")
                        || line.contains("\"level\":\"WARN\"");
                boolean trace = line.startsWith("\t") || line.startsWith("Caused by") || line.startsWith("  ");
                inProblem = starts || (inProblem && trace);
                if (inProblem) {
                    kept.add(line);
                }
            }
            return "\n--- last problems logged by " + name + ":\n"
                    + String.join("\n", kept.subList(Math.max(0, kept.size() - 40), kept.size()));
        }

        public int port(String which) {
            return ports.get(which);
        }

        /** Sends SIGHUP (as an operator's {@code kill -HUP} would). */
        public void hangup() throws IOException, InterruptedException {
            Process k = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
            if (k.waitFor() != 0) {
                throw new IllegalStateException("kill -HUP failed for " + name);
            }
        }
    }

    public Proc start(String name, List<String> args, Map<String, String> env, String readyLine,
                      Duration timeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand.toString());
        cmd.add("-Xmx256m");
        cmd.add("-jar");
        cmd.add((args.contains("serve") ? SERVER_JAR : JAR).toAbsolutePath().toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        Proc proc = new Proc(name, p);
        procs.add(proc);
        CountDownLatch ready = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    proc.output.add(line);
                    if (System.getProperty("huibo.it.verbose") != null) {
                        System.out.println("[" + name + "] " + line);
                    }
                    if (line.contains(readyLine)) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, name + "-out");
        pump.setDaemon(true);
        pump.start();
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            threadDump(p);
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not become ready; output:\n" + String.join("\n", proc.output));
        }
        return proc;
    }

    // ------------------------------------------------------------------ simulator

    public Proc sim(int nodes, int channels, String scenarioYaml) throws Exception {
        return sim(nodes, channels, scenarioYaml, new String[0]);
    }

    /** With extra {@code huibo sim} options, e.g. {@code "--dialin-agi", "127.0.0.1:4573"}. */
    public Proc sim(int nodes, int channels, String scenarioYaml, String... extraArgs) throws Exception {
        int base = freePortRange(nodes);
        int control = freePort();
        // the [huibo] user's eventfilter from the shipped manager.conf: Huibo gets only what a real node sends it
        List<String> args = new ArrayList<>(List.of("sim", "--nodes", String.valueOf(nodes),
                "--base-port", String.valueOf(base), "--user", "huibo", "--secret", SIM_SECRET,
                "--channels", String.valueOf(channels), "--control-port", String.valueOf(control),
                "--manager-conf", MANAGER_CONF.toAbsolutePath().toString()));
        if (scenarioYaml != null) {
            Path f = dir.resolve("scenario-" + UUID.randomUUID() + ".yaml");
            Files.writeString(f, scenarioYaml);
            args.add("--scenario");
            args.add(f.toString());
        }
        args.addAll(List.of(extraArgs));
        Proc p = start("sim", args, Map.of(), "sim ready", Duration.ofSeconds(30));
        p.ports.put("ami", base);
        p.ports.put("control", control);
        p.ports.put("nodes", nodes);
        return p;
    }

    public JsonArray simCalls(Proc sim) throws Exception {
        return new JsonArray(get("http://127.0.0.1:" + sim.port("control") + "/calls", null).body());
    }

    /** The simulator's calls (Originates it received) for one callback, in order. */
    public List<JsonObject> simCallsOf(Proc sim, String callbackId) throws Exception {
        JsonArray calls = simCalls(sim);
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (callbackId.equals(calls.getJsonObject(i).getString("callbackId"))) {
                out.add(calls.getJsonObject(i));
            }
        }
        return out;
    }

    /** A dial-in on the simulator (POST /dialin); answers when the call has ended. */
    public HttpResponse<String> simDialin(Proc sim, String json) throws Exception {
        return post("http://127.0.0.1:" + sim.port("control") + "/dialin", json, null, Map.of());
    }

    public JsonArray simNodes(Proc sim) throws Exception {
        return new JsonArray(get("http://127.0.0.1:" + sim.port("control") + "/nodes", null).body());
    }

    public boolean simChannelLive(Proc sim, String channelId) throws Exception {
        return get("http://127.0.0.1:" + sim.port("control") + "/channels/" + channelId, null).statusCode() == 200;
    }

    // ------------------------------------------------------------------ huibo

    public Map<String, String> huiboEnv(Proc sim, int maxCalls) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HUIBO_HTTP_HOST", "127.0.0.1");
        env.put("HUIBO_HTTP_PORT", String.valueOf(freePort()));
        env.put("HUIBO_AGI_HOST", "127.0.0.1");
        env.put("HUIBO_AGI_PORT", String.valueOf(freePort()));
        env.put("HUIBO_REDIS_URI", REDIS_URI);
        env.put("HUIBO_REDIS_KEY_PREFIX", redisPrefix);
        env.put("HUIBO_DB_URL", dbServer + dbName + dbOptions);
        env.put("HUIBO_DB_USER", DB_USER);
        env.put("HUIBO_DB_PASSWORD", DB_PASSWORD);
        env.put("HUIBO_API_TOKEN", TOKEN);
        env.put("HUIBO_DISPATCH_POLL_INTERVAL", "50ms");
        // no balancer in front: a stopping instance need not keep HTTP open for one (HaproxyIT sets it)
        env.put("HUIBO_HTTP_DRAIN_DELAY", "0s");
        env.put("HUIBO_DISPATCH_LEASE_TTL", "3s");
        // node ownership as short as the callback leases: a killed instance's nodes move on within ~4 s
        env.put("HUIBO_CLUSTER_NODE_LEASE_TTL", "3s");
        env.put("HUIBO_DISPATCH_ORIGINATE_TIMEOUT", "2s");
        env.put("HUIBO_DISPATCH_RETRY_BUSY", "1s");
        env.put("HUIBO_DISPATCH_RETRY_NO_ANSWER", "500ms");
        env.put("HUIBO_DISPATCH_RETRY_CONGESTION", "500ms");
        env.put("HUIBO_DISPATCH_RETRY_FAILED", "500ms");
        // the ITs call German destinations and the same numbers many times a minute; GuardsIT sets
        // the toll-fraud guards it tests itself
        env.put("HUIBO_GUARDS_ALLOW", "+49");
        env.put("HUIBO_GUARDS_NUMBER_PER_MINUTE", "0");
        env.put("HUIBO_GUARDS_NUMBER_PER_DAY", "0");
        env.put("HUIBO_GUARDS_ATTEMPTS_PER_NUMBER_PER_DAY", "0");
        if (sim != null) {
            StringBuilder nodes = new StringBuilder();
            for (int i = 0; i < sim.port("nodes"); i++) {
                if (i > 0) {
                    nodes.append(',');
                }
                nodes.append("sim").append(i + 1).append("=huibo:").append(SIM_SECRET).append("@127.0.0.1:")
                        .append(sim.port("ami") + i).append('/').append(maxCalls);
            }
            env.put("HUIBO_NODES", nodes.toString());
        }
        return env;
    }

    /** A JVM that hangs at start says where: SIGQUIT makes it print its threads to the output we collect. */
    private static void threadDump(Process p) {
        if (!p.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
            Thread.sleep(1000);
        } catch (IOException e) {
            // no kill command: the output says what it says
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Proc huibo(Map<String, String> env) throws Exception {
        Proc p = start("huibo", List.of("serve"), env, "huibo ready", Duration.ofSeconds(60));
        p.ports.put("http", Integer.parseInt(env.get("HUIBO_HTTP_PORT")));
        p.ports.put("agi", Integer.parseInt(env.get("HUIBO_AGI_PORT")));
        return p;
    }

    /** How a {@code serve} that stopped by itself ended: its exit code and its non-blank standard error lines. */
    public record Exit(int code, List<String> stderr) {
    }

    /** Runs {@code huibo serve} with exactly this environment until it exits by itself (a refused start). */
    public Exit serveUntilExit(Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = List.of(javaCommand.toString(), "-jar", SERVER_JAR.toAbsolutePath().toString(), "serve");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("huibo serve should have stopped by itself within 60 s");
        }
        List<String> err = new ArrayList<>();
        for (String line : new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                err.add(line);
            }
        }
        return new Exit(p.exitValue(), err);
    }

    /** Huibo started with {@code serve --config FILE} (the environment still overrides the file). */
    public Proc huibo(Map<String, String> env, Path config) throws Exception {
        Proc p = start("huibo", List.of("serve", "--config", config.toString()), env, "huibo ready",
                Duration.ofSeconds(60));
        p.ports.put("http", Integer.parseInt(env.get("HUIBO_HTTP_PORT")));
        p.ports.put("agi", Integer.parseInt(env.get("HUIBO_AGI_PORT")));
        return p;
    }

    /** Writes (or rewrites) a file in this stack's temporary directory. */
    public Path writeFile(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, content);
        // atomic, as an operator's editor or config management would replace it
        Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return f;
    }

    public String api(Proc huibo) {
        return "http://127.0.0.1:" + huibo.port("http");
    }

    public HttpResponse<String> post(String url, String body, String token, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Any method on the Huibo API with the test token, e.g. PUT /v1/dialin/callers/... */
    public HttpResponse<String> send(Proc huibo, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api(huibo) + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> delete(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).DELETE();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits a callback and returns its id (asserting the 202). */
    public String submit(Proc huibo, JsonObject body) throws Exception {
        HttpResponse<String> r = post(api(huibo) + "/v1/callbacks", body.encode(), TOKEN, Map.of());
        if (r.statusCode() != 202) {
            throw new AssertionError("expected 202, got " + r.statusCode() + ": " + r.body());
        }
        return new JsonObject(r.body()).getString("id");
    }

    public JsonObject callback(Proc huibo, String id) throws Exception {
        HttpResponse<String> r = get(api(huibo) + "/v1/callbacks/" + id, TOKEN);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + id + ": " + r.statusCode() + " " + r.body());
        }
        return new JsonObject(r.body());
    }

    // ------------------------------------------------------------------ database

    public Connection db() throws SQLException {
        return DriverManager.getConnection(dbServer + dbName + dbOptions, DB_USER, DB_PASSWORD);
    }

    public long count(String sql) throws SQLException {
        try (Connection c = db(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether every one of these callbacks has reached an end state in {@code states} (id to state). */
    public static boolean allEnded(java.util.Collection<String> ids, Map<String, String> states) {
        for (String id : ids) {
            String s = states.get(id);
            if (s == null || !(s.equals("completed") || s.equals("failed") || s.equals("cancelled"))) {
                return false;
            }
        }
        return true;
    }

    /** The rows of a two-column query, the first column's value to the second's. */
    public Map<String, String> pairs(String sql) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    /**
     * Submits a callback until an instance accepts it (2xx), as a client of a cluster does: a refused or
     * unanswered request is sent again with the same Idempotency-Key, to the next instance in turn.
     *
     * @param first which instance to ask first (spreads many clients over the instances)
     * @return the callback's id, or null when none accepted it within {@code within}
     */
    public String submitRepeating(Proc[] instances, int first, JsonObject body, String key, Duration within,
                                  Duration pause) {
        long until = System.currentTimeMillis() + within.toMillis();
        int attempt = first;
        while (System.currentTimeMillis() < until) {
            Proc p = instances[Math.floorMod(attempt++, instances.length)];
            try {
                HttpResponse<String> r = post(api(p) + "/v1/callbacks", body.encode(), TOKEN,
                        Map.of("Idempotency-Key", key));
                if (r.statusCode() / 100 == 2) {
                    return new JsonObject(r.body()).getString("id");
                }
            } catch (IOException down) {
                // that instance is down, restarting or cut off: the next one, with the same key
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ ports

    public static int freePort() throws IOException {
        return LocalPorts.any();
    }

    /** A run of consecutive free ports, for simulator nodes. */
    public static int freePortRange(int n) {
        return LocalPorts.run(n);
    }

    @Override
    public void close() throws Exception {
        for (Proc p : procs) {
            p.process.destroyForcibly();
        }
        for (Proc p : procs) {
            p.process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Connection c = DriverManager.getConnection(dbServer + dbOptions, DB_USER, DB_PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + dbName + "`");
        } catch (SQLException ignored) {
            // best effort
        }
        try (var client = io.lettuce.core.RedisClient.create(REDIS_URI); var conn = client.connect()) {
            var cmd = conn.sync();
            var keys = cmd.keys("{" + redisPrefix + "}*");
            if (!keys.isEmpty()) {
                cmd.del(keys.toArray(new String[0]));
            }
        } catch (RuntimeException ignored) {
            // best effort
        }
    }
}
