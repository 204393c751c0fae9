package io.huibo.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code huibo loadgen suite}: runs every benchmark of issue 5 against real processes (Huibo, the
 * simulator, asterisk-java's DefaultAgiServer, the load generator), the real Redis and MariaDB,
 * samples each process's CPU (utime+stime from /proc) at the edges of every measured window, prints
 * the table and writes docs/benchmarks.md. {@code --smoke} runs the same steps in a few seconds each,
 * for the test suite. Everything it starts it stops; the bench database and Redis keys are dropped.
 */
@Command(name = "suite", description = "Run all benchmarks (scripts/bench).")
public final class BenchSuite implements Callable<Integer> {

    /** Subcommands of {@link BenchMain}, started from the test classpath; everything else runs from huibo.jar. */
    private static final Set<String> BENCH_TOOLS = Set.of("loadgen", "agi-baseline");

    @Option(names = "--jar", required = true, description = "huibo.jar to start the server and the simulator from")
    Path jar;
    @Option(names = "--out", description = "markdown report to write (e.g. docs/benchmarks.md)")
    Path out;
    @Option(names = "--jmh-json", description = "JMH results (-rf json) to include")
    Path jmhJson;
    @Option(names = "--command", defaultValue = "scripts/bench", description = "the command line to record")
    String command;
    @Option(names = "--smoke", description = "tiny sizes: check that every benchmark runs")
    boolean smoke;
    @Option(names = "--only", split = ",", description = "subset: accept,agi,dispatch,footprint,queue")
    List<String> only;
    // an initial value, not defaultValue: BenchSmokeIT builds the suite without picocli
    @Option(names = "--manager-conf",
            description = "the nodes' AMI user config, as shipped (its eventfilter): default ${DEFAULT-VALUE}")
    Path managerConf = Path.of("asterisk-conf/manager.conf");

    /** Exit code of a run that produced every figure and missed at least one target. */
    public static final int TARGET_MISSED = 3;

    /** One line of the result table; pass is null for figures without a target. */
    public record Row(String bench, String figure, String value, String target, Boolean pass) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> cpu = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Proc> procs = new CopyOnWriteArrayList<>();
    // HTTP/1.1: the JDK client's default h2c upgrade breaks on the simulator's large /calls answer
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String dbPassword = env("HUIBO_DB_PASSWORD", "huibo-dev-password");
    private final String dbUser = env("HUIBO_DB_USER", "huibo");
    private final String redisUri = env("HUIBO_REDIS_URI", "redis://127.0.0.1:6379");
    private final String dbName = "huibo_bench_" + rnd();
    private final String prefix = "bench" + rnd();
    private final String token = "bench-token-" + UUID.randomUUID();
    private final String simSecret = "bench-" + rnd();
    private Path dir;
    private Proc huibo;
    private Proc sim;
    private int httpPort;
    private int agiPort;
    private int simControl;
    private Map<String, String> huiboEnv;

    public List<Row> rows() {
        return rows;
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        dir = Files.createTempDirectory("huibo-bench");
        try {
            if (want("accept") || want("agi") || want("dispatch") || want("footprint")) {
                startStack();
            }
            if (want("accept")) {
                guard("durable accept", this::accept);
            }
            if (want("agi")) {
                guard("FastAGI", this::agi);
            }
            if (want("dispatch")) {
                guard("dispatch", this::dispatch);
            }
            if (want("footprint")) {
                guard("footprint", this::footprint);
            }
            stopAll();
            if (want("queue")) {
                guard("queue scale", this::queueScale);
            }
            if (jmhJson != null && Files.exists(jmhJson)) {
                guard("JMH", this::jmh);
            }
        } finally {
            stopAll();
            dropDatabase();
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        String table = table();
        System.out.println();
        System.out.println(table);
        System.out.println(String.join("\n", cpu));
        System.out.printf(Locale.ROOT, "%nsuite took %.1f min%n", minutes);
        if (out != null) {
            writeReport(table, minutes);
            System.out.println("wrote " + out);
        }
        return exitCode(rows, smoke);
    }

    /** 1 if a benchmark failed; else {@link #TARGET_MISSED} if a figure missed its target (not at smoke size); else 0. */
    static int exitCode(List<Row> rows, boolean smoke) {
        if (rows.stream().anyMatch(r -> r.bench().equals("error"))) {
            return 1;
        }
        // a missed target is the run's answer too, so that a script can tell (smoke sizes meet none)
        return !smoke && rows.stream().anyMatch(r -> Boolean.FALSE.equals(r.pass())) ? TARGET_MISSED : 0;
    }

    private boolean want(String b) {
        return only == null || only.isEmpty() || only.contains(b);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void guard(String name, Step s) {
        System.out.println("== " + name);
        try {
            s.run();
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            rows.add(new Row("error", name, String.valueOf(e), "runs", false));
        }
    }

    // ------------------------------------------------------------------ stack

    private void startStack() throws Exception {
        int nodes = 10;
        int channels = smoke ? 300 : 1100;
        int base = LocalPorts.run(nodes);
        simControl = LocalPorts.any();
        Path scenario = dir.resolve("scenario.yaml");
        // 01/02: the AGI decision; 05/06 (07/08 to warm up): calls that end at once (dispatch); 03/04: calls that stay up (footprint)
        Files.writeString(scenario, """
                numbers:
                  "+4930000001": {outcomes: [answer], answerAfter: 5ms, talk: 10ms}
                  "+4930000002": {outcomes: [answer], answerAfter: 5ms, talk: 10ms}
                  "+4930000003": {outcomes: [answer], answerAfter: 5ms, talk: 20m}
                  "+4930000004": {outcomes: [answer], answerAfter: 5ms, talk: 20m}
                  "+4930000005": {outcomes: [answer], answerAfter: 5ms, talk: 10ms}
                  "+4930000006": {outcomes: [answer], answerAfter: 5ms, talk: 10ms}
                  "+4930000007": {outcomes: [answer], answerAfter: 5ms, talk: 10ms}
                  "+4930000008": {outcomes: [answer], answerAfter: 5ms, talk: 10ms}
                """);
        sim = start("sim", simJvm(), List.of("sim", "--nodes", "" + nodes, "--base-port", "" + base,
                "--secret", simSecret, "--channels", "" + channels, "--scenario", scenario.toString(),
                "--control-port", "" + simControl, "--manager-conf", managerConf.toAbsolutePath().toString()),
                Map.of(), "sim ready", null);
        httpPort = LocalPorts.any();
        agiPort = LocalPorts.any();
        huiboEnv = new HashMap<>();
        huiboEnv.put("HUIBO_HTTP_HOST", "127.0.0.1");
        huiboEnv.put("HUIBO_HTTP_PORT", "" + httpPort);
        huiboEnv.put("HUIBO_AGI_HOST", "127.0.0.1");
        huiboEnv.put("HUIBO_AGI_PORT", "" + agiPort);
        huiboEnv.put("HUIBO_REDIS_URI", redisUri);
        huiboEnv.put("HUIBO_REDIS_KEY_PREFIX", prefix);
        huiboEnv.put("HUIBO_DB_URL", "jdbc:mariadb://127.0.0.1:3306/" + dbName);
        huiboEnv.put("HUIBO_DB_USER", dbUser);
        huiboEnv.put("HUIBO_DB_PASSWORD", dbPassword);
        huiboEnv.put("HUIBO_API_TOKEN", token);
        huiboEnv.put("HUIBO_DISPATCH_POLL_INTERVAL", "10ms");
        huiboEnv.put("HUIBO_LOG_LEVEL", "WARN");
        // the load tools send one number and destination over and over (the dispatch pass counts its rows by
        // number): with deduplication on, every request after the first would get the first callback
        huiboEnv.put("HUIBO_CONTACTS_DEDUP", "false");
        // the load reuses a few German numbers at thousands of requests a second: the toll-fraud
        // guards' home country and limits are not what is measured
        huiboEnv.put("HUIBO_GUARDS_ALLOW", "+49");
        huiboEnv.put("HUIBO_GUARDS_NUMBER_PER_MINUTE", "0");
        huiboEnv.put("HUIBO_GUARDS_NUMBER_PER_DAY", "0");
        huiboEnv.put("HUIBO_GUARDS_ATTEMPTS_PER_NUMBER_PER_DAY", "0");
        StringBuilder n = new StringBuilder();
        for (int i = 0; i < nodes; i++) {
            n.append(i == 0 ? "" : ",").append("sim").append(i + 1).append("=huibo:").append(simSecret)
                    .append("@127.0.0.1:").append(base + i).append('/').append(channels).append('/').append(ORIGINATES_PER_NODE);
        }
        huiboEnv.put("HUIBO_NODES", n.toString());
        huibo = start("huibo", huiboJvm(), List.of("serve"), huiboEnv, "huibo ready", null);
        notes.add("Huibo JVM: `" + String.join(" ", huiboJvm()) + "`; simulator JVM: `" + String.join(" ", simJvm())
                + "`; HUIBO_DISPATCH_POLL_INTERVAL=10ms, HUIBO_CONTACTS_DEDUP=false (one number and destination throughout), "
                + "10 simulated nodes with " + channels + " channels and maxOriginatesPerSecond " + ORIGINATES_PER_NODE
                + " each, every other setting at its default; the simulated nodes apply the `[huibo]` section of "
                + "asterisk-conf/manager.conf (its eventfilter), as a node configured from it would.");
    }

    /**
     * maxOriginatesPerSecond of each simulated node. The default (20/s, what a stock Asterisk takes
     * comfortably) would cap 10 nodes at 200/s, and the dispatch benchmark is about Huibo, not that cap.
     */
    static final int ORIGINATES_PER_NODE = 200;

    /**
     * The simulator stands in for Asterisk, which is native code: run on C1 alone, its JIT costs next to
     * nothing, where C2 took ~40% of its CPU in the dispatch window (jstat -compiler, perf), on the two
     * cores Huibo needs. C1 code made the simulator cheaper per call, not dearer (1.3 against 1.5-1.9 ms).
     */
    private static List<String> simJvm() {
        return jvmFlags("BENCH_SIM_JVM", List.of("-Xmx1g", "-XX:TieredStopAtLevel=1"));
    }

    /** The default, or the whitespace-separated flags of the environment variable (for experiments). */
    private static List<String> jvmFlags(String env, List<String> dflt) {
        String override = System.getenv(env);
        return override != null && !override.isBlank() ? List.of(override.trim().split("\\s+")) : dflt;
    }

    private static List<String> huiboJvm() {
        // bounded memory, as an operator sets it through HUIBO_JAVA_OPTS with scripts/huibo: the
        // live heap is ~50 MB under these loads; the serial collector and a cap on Netty's direct
        // buffers keep the resident size of a 2-core instance small
        return jvmFlags("BENCH_HUIBO_JVM",
                List.of("-Xms64m", "-Xmx160m", "-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=64m", "-Xss512k"));
    }

    // ------------------------------------------------------------------ 1. durable accept

    private void accept() throws Exception {
        // wrk, not our Vert.x generator: that one costs ~430 us CPU per request, several times Huibo's
        // own cost, and on 2 cores it would measure itself. A static body due one day ahead.
        Path lua = dir.resolve("post.lua");
        String at = Instant.now().plus(Duration.ofDays(1)).toString();
        Files.writeString(lua, "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + token + "\"\n"
                + "wrk.body = '{\"number\":\"+4930000001\",\"destination\":\"+4930000002\",\"at\":\"" + at + "\"}'\n");
        String url = "http://127.0.0.1:" + httpPort + "/v1/callbacks";
        // the same load first: C2 compiles the hot path for ~40 s after start, keep that out of the window
        // (after a 25 s warm-up its threads still took 26% of Huibo's CPU in the window)
        wrk("accept warm-up", List.of("-t2", "-c64", "-d" + (smoke ? "1s" : "40s"), "-s", lua.toString(), url),
                List.of(huibo));
        WrkRun r = wrk("accept", List.of("-t2", "-c64", "-d" + (smoke ? "1s" : "15s"), "--latency", "-s",
                lua.toString(), url), List.of(huibo));
        LoadRun c = loadgen("mariadb ceiling", List.of("db-ceiling", "--db-url",
                "jdbc:mariadb://127.0.0.1:3306/" + dbName, "--db-user", dbUser, "--duration", smoke ? "1s" : "8s"),
                List.of());
        JsonObject a = r.result;
        double rate = a.getDouble("rate");
        rows.add(new Row("durable accept", "POST /v1/callbacks -> 202, wrk -t2 -c64 (" + a.getLong("requests")
                + " in " + fmt(a.getDouble("seconds")) + " s): rate", fmt(rate) + "/s", ">= 10,000/s", rate >= 10_000));
        rows.add(new Row("durable accept", "p50 / p99", ms(a.getDouble("p50")) + " / " + ms(a.getDouble("p99")),
                "p99 <= 25 ms", a.getDouble("p99") <= 25));
        rows.add(new Row("durable accept", "errors (non-2xx, socket errors)", "" + a.getLong("errors"), "0",
                a.getLong("errors") == 0));
        double n = Math.max(1, a.getLong("requests"));
        rows.add(new Row("durable accept", "CPU per request: Huibo / MariaDB / Redis / wrk",
                fmt(1e6 * r.cpuSeconds("huibo") / n) + " / " + fmt(1e6 * r.cpuSeconds("mariadb") / n) + " / "
                        + fmt(1e6 * r.cpuSeconds("redis") / n) + " / " + fmt(1e6 * r.cpuSeconds("wrk") / n) + " us",
                "(info)", null));
        rows.add(new Row("durable accept", "MariaDB raw batched INSERT (500 rows/commit, 1 connection): ceiling",
                fmt(c.result.getDouble("rate")) + " rows/s", "(ceiling)", null));
    }

    /** A finished wrk run: its figures, and the CPU of wrk and of every observed process in its window. */
    final class WrkRun {
        JsonObject result;
        Map<String, Long> before;
        Map<String, Long> after;

        double cpuSeconds(String name) {
            Long x = after.get(name);
            Long b = before.get(name);
            return x == null || b == null || x < 0 || b < 0 ? 0 : (x - b) / Stats.TICKS_PER_SECOND;
        }
    }

    /**
     * Runs wrk (bash's {@code times} after it gives wrk's own CPU, as it has exited by the time the
     * window closes) and parses its summary: requests, rate, errors, and with --latency p50/p99.
     */
    private WrkRun wrk(String label, List<String> args, List<Proc> observed) throws Exception {
        System.out.println("-- " + label);
        StringBuilder cmd = new StringBuilder("command -v wrk >/dev/null || { echo 'wrk is not installed "
                + "(apt-get install wrk; scripts/bench installs it)'; exit 127; }; wrk");
        for (String a : args) {
            cmd.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        cmd.append("; rc=$?; echo WRK-TIMES; times; exit $rc");
        WrkRun run = new WrkRun();
        run.before = sample(observed);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        double secs = (System.nanoTime() - t0) / 1e9;
        run.after = sample(observed);
        if (rc != 0 || !out.contains("Requests/sec:")) {
            throw new IllegalStateException(label + ": wrk failed (" + rc + "):\n" + out);
        }
        String[] times = out.substring(out.indexOf("WRK-TIMES")).split("\n");
        // times: line 1 the shell, line 2 its children (wrk): "0m1.234s 0m0.567s"
        long wrkTicks = times.length > 2 ? Math.round(bashTime(times[2]) * Stats.TICKS_PER_SECOND) : -1;
        run.before.put("wrk", 0L);
        run.after.put("wrk", wrkTicks);
        JsonObject r = new JsonObject();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)")
                .matcher(out);
        if (m.find()) {
            r.put("requests", Long.parseLong(m.group(1))).put("seconds", duration(m.group(2), m.group(3)) / 1000);
        }
        m = java.util.regex.Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        r.put("rate", m.find() ? Double.parseDouble(m.group(1)) : 0.0);
        long errors = 0;
        m = java.util.regex.Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
        if (m.find()) {
            errors += Long.parseLong(m.group(1));
        }
        m = java.util.regex.Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        if (m.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(m.group(i));
            }
        }
        r.put("errors", errors);
        for (String pct : new String[] {"50", "99"}) {
            m = java.util.regex.Pattern.compile("\\s" + pct + "%\\s+([0-9.]+)(us|ms|s|m)").matcher(out);
            if (m.find()) {
                r.put("p" + pct, duration(m.group(1), m.group(2)));
            }
        }
        run.result = r;
        cpuLine(label, run.before, run.after, secs);
        System.out.println("   " + r.encode());
        return run;
    }

    /** A wrk duration in milliseconds. */
    private static double duration(String v, String unit) {
        double d = Double.parseDouble(v);
        return switch (unit) {
            case "us" -> d / 1000;
            case "s" -> d * 1000;
            case "m" -> d * 60_000;
            default -> d;
        };
    }

    /** bash {@code times}: "0m1.234s 0m0.567s" (user, system) in seconds. */
    private static double bashTime(String line) {
        double total = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)m([0-9.]+)s").matcher(line);
        while (m.find()) {
            total += Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2));
        }
        return total;
    }

    // ------------------------------------------------------------------ 3. FastAGI

    private void agi() throws Exception {
        String id = submitOne("+4930000001", "+4930000002", Instant.now().plus(Duration.ofDays(2)));
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement(
                "UPDATE callbacks SET state = 'dialing', attempts = 1 WHERE id = ?")) {
            ps.setString(1, id);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("could not prepare the AGI callback");
            }
        }
        int c1 = smoke ? 50 : 1000;
        int c2 = smoke ? 100 : 2000;
        // Huibo has run the HTTP benchmark by now; the AGI path and the baseline's still need the JIT:
        // after 5 s of it, C2 still took 41% of Huibo's CPU in the C=1000 window. Each server's first
        // run warms longer; the C=2000 run comes after it.
        String firstWarm = smoke ? "500ms" : "20s";
        String warm = smoke ? "500ms" : "5s";
        String dur = smoke ? "1s" : "10s";
        Map<String, JsonObject> res = new LinkedHashMap<>();
        Map<String, Double> cpuPerDecision = new HashMap<>();
        double[] rss = {0};
        for (int clients : new int[] {c1, c2}) {
            LoadRun r = loadgenSampling("agi huibo C=" + clients, agiArgs(agiPort, clients, id, clients == c1 ? firstWarm : warm, dur),
                    List.of(huibo), clients == c2 ? rss : null);
            res.put("huibo" + clients, r.result);
            cpuPerDecision.put("huibo" + clients, r.cpuSeconds("huibo") / Math.max(1, r.result.getLong("sessions")));
            cpuPerDecision.put("huibo-jit" + clients, r.cpuSeconds("huibo (JIT)") / Math.max(1, r.result.getLong("sessions")));
        }
        int basePort = LocalPorts.any();
        Proc baseline = start("agi-baseline", huiboJvm(), List.of("agi-baseline", "--port", "" + basePort),
                huiboEnv, "agi-baseline ready", null);
        for (int clients : new int[] {c1, c2}) {
            LoadRun r = loadgen("agi asterisk-java C=" + clients, agiArgs(basePort, clients, id, clients == c1 ? firstWarm : warm, dur),
                    List.of(baseline));
            res.put("base" + clients, r.result);
            cpuPerDecision.put("base" + clients, r.cpuSeconds("agi-baseline")
                    / Math.max(1, r.result.getLong("sessions")));
            cpuPerDecision.put("base-jit" + clients, r.cpuSeconds("agi-baseline (JIT)")
                    / Math.max(1, r.result.getLong("sessions")));
        }
        stop(baseline);
        JsonObject h1 = res.get("huibo" + c1);
        JsonObject b1 = res.get("base" + c1);
        double ratio = h1.getDouble("rate") / Math.max(1e-9, b1.getDouble("rate"));
        rows.add(new Row("FastAGI", "C=" + c1 + " sessions/s: Huibo vs DefaultAgiServer",
                fmt(h1.getDouble("rate")) + " vs " + fmt(b1.getDouble("rate")) + " (" + String.format(Locale.ROOT, "%.2fx", ratio) + ")",
                ">= 1.5x", ratio >= 1.5));
        double cpuH = cpuPerDecision.get("huibo" + c1) * 1e6;
        double cpuB = cpuPerDecision.get("base" + c1) * 1e6;
        rows.add(new Row("FastAGI", "C=" + c1 + " server CPU per decision: Huibo vs DefaultAgiServer",
                fmt(cpuH) + " us vs " + fmt(cpuB) + " us", "<= 0.5x", cpuH <= 0.5 * cpuB));
        double jitH = cpuPerDecision.get("huibo-jit" + c1) * 1e6;
        double jitB = cpuPerDecision.get("base-jit" + c1) * 1e6;
        rows.add(new Row("FastAGI", "C=" + c1 + " of that, in the JIT compiler threads: Huibo vs DefaultAgiServer",
                fmt(jitH) + " us vs " + fmt(jitB) + " us (without them: "
                        + String.format(Locale.ROOT, "%.2fx", (cpuH - jitH) / Math.max(1e-9, cpuB - jitB)) + ")",
                "(info)", null));
        rows.add(new Row("FastAGI", "C=" + c1 + " p99 Huibo (DefaultAgiServer)",
                ms(h1.getDouble("p99")) + " (" + ms(b1.getDouble("p99")) + ")", "<= 200 ms", h1.getDouble("p99") <= 200));
        for (int clients : new int[] {c1, c2}) {
            JsonObject h = res.get("huibo" + clients);
            JsonObject b = res.get("base" + clients);
            long bad = h.getLong("refused") + h.getLong("reset") + h.getLong("unanswered");
            rows.add(new Row("FastAGI", "C=" + clients + " refused/reset/unanswered: Huibo (DefaultAgiServer)",
                    h.getLong("refused") + "/" + h.getLong("reset") + "/" + h.getLong("unanswered") + " ("
                            + b.getLong("refused") + "/" + b.getLong("reset") + "/" + b.getLong("unanswered") + ")",
                    "0 for Huibo", bad == 0));
        }
        JsonObject h2 = res.get("huibo" + c2);
        JsonObject b2 = res.get("base" + c2);
        rows.add(new Row("FastAGI", "C=" + c2 + " sessions/s, p99: Huibo (DefaultAgiServer)",
                fmt(h2.getDouble("rate")) + ", " + ms(h2.getDouble("p99")) + " (" + fmt(b2.getDouble("rate")) + ", "
                        + ms(b2.getDouble("p99")) + ")", "(info)", null));
        rows.add(new Row("FastAGI", "Huibo RSS at C=" + c2 + " (max sampled)", fmt(rss[0]) + " MiB", "<= 256 MiB",
                rss[0] > 0 && rss[0] <= 256));
        // asterisk-java adds SET VARIABLE AJ_AGISTATUS of its own at the end of every session
        java.util.TreeSet<String> dh = new java.util.TreeSet<>(h1.getJsonObject("decisions").fieldNames());
        java.util.TreeSet<String> db = new java.util.TreeSet<>(b1.getJsonObject("decisions").fieldNames());
        db.removeIf(k -> k.startsWith("AJ_"));
        rows.add(new Row("FastAGI", "same decision from both servers (variables set)", dh + " / " + db,
                "equal", dh.equals(db)));
    }

    private List<String> agiArgs(int port, int clients, String id, String warm, String dur) {
        return List.of("agi", "--port", "" + port, "--clients", "" + clients, "--callback-id", id,
                "--warmup", warm, "--duration", dur);
    }

    // ------------------------------------------------------------------ 2. dispatch

    private void dispatch() throws Exception {
        // A pass of the same kind first, on another pair of numbers: C2 compiles the AMI, FastAGI and
        // store paths of Huibo and the simulator for the first minute or so (after a 5 s warm-up the
        // compiler threads still took ~25% of Huibo's and ~40% of the simulator's CPU in the measured
        // window), and a callback server runs warm. Only the second pass is measured.
        if (!smoke) {
            dispatchPass(true, 600, 20, "+4930000007", "+4930000008");
        }
        dispatchPass(false, smoke ? 100 : 1000, smoke ? 1 : 15, "+4930000005", "+4930000006");
    }

    private void dispatchPass(boolean warmUp, double rate, int seconds, String number, String destination)
            throws Exception {
        String label = warmUp ? "dispatch warm-up" : "dispatch";
        long count = (long) (rate * seconds);
        // wrk submits them all in a few seconds; each request's due time is the next step of the
        // schedule (request n of the run: atStart + n / rate), so they fall due at the offered rate
        long lead = smoke ? 3000 : 8000;
        long atStart = System.currentTimeMillis() + lead;
        Path lua = dir.resolve("dispatch.lua");
        Files.writeString(lua, """
                local tid = 0
                function setup(thread) thread:set("tid", tid); tid = tid + 1 end
                function init(args)
                  start = tonumber(args[1]); rate = tonumber(args[2]); total = tonumber(args[3])
                  step = tonumber(args[4]); n = tid
                end
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["Authorization"] = "Bearer %s"
                function request()
                  if n >= total then wrk.thread:stop() end
                  local due = start + math.floor(n * 1000 / rate)
                  n = n + step
                  local body = string.format('{"number":"%s","destination":"%s","at":"%%s.%%03dZ"}',
                    os.date("!%%Y-%%m-%%dT%%H:%%M:%%S", math.floor(due / 1000)), due %% 1000)
                  return wrk.format(nil, nil, nil, body)
                end
                """.formatted(token, number, destination));
        WrkRun sub = wrk(label + ": submit " + count, List.of("-t2", "-c64", "-d" + (lead / 1000 - 1) + "s", "-s",
                lua.toString(), "http://127.0.0.1:" + httpPort + "/v1/callbacks", "--", "" + atStart, "" + rate,
                "" + count, "2"), List.of(huibo));
        long late = System.currentTimeMillis() - atStart;
        if (late > 0) {
            notes.add(label + ": submitting took " + late + " ms past the first due time");
        }
        sleepUntil(atStart);
        Map<String, Long> before = sample(List.of(huibo, sim));
        long w0 = System.currentTimeMillis();
        sleepUntil(atStart + seconds * 1000L);
        Map<String, Long> after = sample(List.of(huibo, sim));
        long w1 = System.currentTimeMillis();
        double secs = (w1 - w0) / 1e3;
        cpuLine(label + " " + count + " callbacks due over " + seconds + " s", before, after, secs);
        // the due times as stored (the record of truth), and when the last of them has left the queue
        Map<String, Long> due = new HashMap<>();
        long deadline = System.currentTimeMillis() + (smoke ? 5_000 : 30_000);
        try (Connection c = db()) {
            while (true) {
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM callbacks "
                        + "WHERE number = ? AND state IN ('queued', 'dialing')")) {
                    ps.setString(1, number);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0 || System.currentTimeMillis() > deadline) {
                            break;
                        }
                    }
                }
                Thread.sleep(500);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, due_at FROM callbacks WHERE number = ?")) {
                ps.setString(1, number);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.put(rs.getString(1), rs.getTimestamp(2).getTime());
                    }
                }
            }
        }
        // the calls end at once; wait until they have, so the next run starts from zero
        waitActive(0, Duration.ofSeconds(30));
        if (warmUp) {
            return;
        }
        // every Originate the nodes received, read once (a few MB of JSON)
        JsonArray calls = new JsonArray(get("http://127.0.0.1:" + simControl + "/calls").body());
        List<Long> lags = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        int inWindow = 0;
        for (int i = 0; i < calls.size(); i++) {
            JsonObject c = calls.getJsonObject(i);
            Long d = due.get(c.getString("callbackId"));
            Object attempt = c.getValue("attempt");
            if (d == null || attempt == null || !"1".equals(String.valueOf(attempt))
                    || c.getValue("startedAt") == null) {
                continue;
            }
            long st = Instant.parse(String.valueOf(c.getValue("startedAt"))).toEpochMilli();
            lags.add(st - d);
            first = Math.min(first, st);
            last = Math.max(last, st);
            if (st >= w0 && st < w1) {
                inWindow++;
            }
        }
        lags.sort(Long::compare);
        double span = Math.max(1, last - first) / 1000.0;
        double originates = lags.size() / span;
        long p50 = lags.isEmpty() ? -1 : lags.get((int) Math.ceil(0.50 * lags.size()) - 1);
        long p99 = lags.isEmpty() ? -1 : lags.get((int) Math.ceil(0.99 * lags.size()) - 1);
        long max = lags.isEmpty() ? -1 : lags.get(lags.size() - 1);
        rows.add(new Row("dispatch", "accepted by wrk in " + fmt(sub.result.getDouble("seconds")) + " s (errors "
                + sub.result.getLong("errors") + ")", due.size() + " (asked " + count + ")", ">= " + count, due.size() >= count));
        rows.add(new Row("dispatch", "originates/s sustained, 10 nodes (" + lags.size() + "/" + due.size()
                + " originated, offered " + fmt(rate) + "/s over " + seconds + " s)", fmt(originates) + "/s",
                ">= 1,000/s", smoke ? null : originates >= 1000 && lags.size() == due.size() && due.size() >= count));
        rows.add(new Row("dispatch", "due-to-Originate lag p50 / p99 / max", p50 + " / " + p99 + " / " + max + " ms",
                "p99 <= 100 ms", p99 >= 0 && p99 <= 100));
        // the CPU of the window over the calls originated in it (not over all of them: under a backlog
        // many are originated after the window, and their cost is not in it)
        double orig = Math.max(1, inWindow);
        rows.add(new Row("dispatch", "CPU per call originated in the window (" + inWindow
                + "): Huibo (of it JIT compiler, GC) / sim / MariaDB / Redis",
                fmt(1e6 * cpuOf(before, after, "huibo") / orig) + " (" + fmt(1e6 * cpuOf(before, after, "huibo (JIT)") / orig)
                        + ", " + fmt(1e6 * cpuOf(before, after, "huibo (GC)") / orig) + ") / "
                        + fmt(1e6 * cpuOf(before, after, "sim") / orig) + " / "
                        + fmt(1e6 * cpuOf(before, after, "mariadb") / orig) + " / "
                        + fmt(1e6 * cpuOf(before, after, "redis") / orig) + " us", "(info)", null));
    }

    private static double cpuOf(Map<String, Long> before, Map<String, Long> after, String name) {
        Long a = after.get(name);
        Long b = before.get(name);
        return a == null || b == null || a < 0 || b < 0 ? 0 : (a - b) / Stats.TICKS_PER_SECOND;
    }

    // ------------------------------------------------------------------ 5. footprint

    private void footprint() throws Exception {
        int calls = smoke ? 100 : 10_000;
        long atStart = System.currentTimeMillis();
        Map<String, Long> before = sample(List.of(huibo, sim));
        long w0 = System.nanoTime();
        loadgen("footprint: submit " + calls, List.of("http", "--port", "" + httpPort, "--token", token,
                "--connections", "64", "--count", "" + calls, "--number", "+4930000003", "--destination",
                "+4930000004", "--at-start", "" + atStart, "--at-rate", "1000000"), List.of(huibo, sim));
        int reached = waitActive(calls, Duration.ofSeconds(smoke ? 30 : 120));
        Map<String, Long> after = sample(List.of(huibo, sim));
        cpuLine("footprint: submit and dial " + calls + " long calls", before, after, (System.nanoTime() - w0) / 1e9);
        double rss = 0;
        for (int i = 0; i < 6; i++) {
            rss = Math.max(rss, Stats.rssMiB(huibo.pid()));
            Thread.sleep(500);
        }
        rows.add(new Row("footprint", "calls in progress (sim, all nodes)", "" + reached, "" + calls, reached >= calls));
        rows.add(new Row("footprint", "Huibo RSS with " + reached + " calls in progress", fmt(rss) + " MiB",
                "<= 512 MiB", rss > 0 && rss <= 512 && reached >= calls));
    }

    private int waitActive(int target, Duration timeout) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        int active;
        do {
            JsonArray nodes = new JsonArray(get("http://127.0.0.1:" + simControl + "/nodes").body());
            active = 0;
            for (int i = 0; i < nodes.size(); i++) {
                active += nodes.getJsonObject(i).getInteger("active");
            }
            if (target == 0 ? active == 0 : active >= target) {
                return active;
            }
            Thread.sleep(500);
        } while (System.currentTimeMillis() < deadline);
        return active;
    }

    // ------------------------------------------------------------------ 4. queue scale

    private void queueScale() throws Exception {
        int small = 1000;
        int big = smoke ? 20_000 : 1_000_000;
        LoadRun s = loadgen("queue " + small + " pending", List.of("queue", "--redis", redisUri, "--prefix",
                prefix + "q1", "--pending", "" + small, "--samples", smoke ? "200" : "2000"), List.of());
        LoadRun b = loadgen("queue " + big + " pending", List.of("queue", "--redis", redisUri, "--prefix",
                prefix + "q2", "--pending", "" + big, "--samples", smoke ? "200" : "2000"), List.of());
        JsonObject a = s.result;
        JsonObject z = b.result;
        double r1 = z.getDouble("claim1P50") / Math.max(1e-6, a.getDouble("claim1P50"));
        double rb = z.getDouble("claimBatchP50") / Math.max(1e-6, a.getDouble("claimBatchP50"));
        rows.add(new Row("queue scale", "claim 1: p50 (p99) at " + big + " vs " + small + " pending",
                ms(z.getDouble("claim1P50")) + " (" + ms(z.getDouble("claim1P99")) + ") vs " + ms(a.getDouble("claim1P50"))
                        + " (" + ms(a.getDouble("claim1P99")) + ") = " + String.format(Locale.ROOT, "%.2fx", r1),
                "<= 2x", r1 <= 2));
        rows.add(new Row("queue scale", "claim " + z.getInteger("claimBatch") + ": p50 (p99) at " + big + " vs " + small,
                ms(z.getDouble("claimBatchP50")) + " (" + ms(z.getDouble("claimBatchP99")) + ") vs "
                        + ms(a.getDouble("claimBatchP50")) + " (" + ms(a.getDouble("claimBatchP99")) + ") = "
                        + String.format(Locale.ROOT, "%.2fx", rb), "<= 2x", rb <= 2));
        rows.add(new Row("queue scale", "Redis memory per pending callback (INFO used_memory delta / " + big + ")",
                fmt(z.getDouble("bytesPerPending")) + " B (MEMORY USAGE of the zset: "
                        + fmt(z.getDouble("zsetBytesPerPending")) + " B)", "<= 250 B",
                z.getDouble("bytesPerPending") <= 250));
    }

    // ------------------------------------------------------------------ JMH

    private void jmh() throws IOException {
        JsonArray a = new JsonArray(Files.readString(jmhJson));
        for (int i = 0; i < a.size(); i++) {
            JsonObject b = a.getJsonObject(i);
            JsonObject m = b.getJsonObject("primaryMetric");
            String name = b.getString("benchmark").replace("io.huibo.bench.", "");
            rows.add(new Row("JMH", name + " (" + b.getString("mode") + ")",
                    String.format(Locale.ROOT, "%.3f ± %.3f %s", m.getDouble("score"),
                            m.getValue("scoreError") instanceof Number n ? n.doubleValue() : 0.0, m.getString("scoreUnit")),
                    "(hot path)", null));
        }
    }

    // ------------------------------------------------------------------ processes

    final class Proc {
        final String name;
        final Process process;
        final List<String> output = new CopyOnWriteArrayList<>();
        /** Reads the process's output; it ends after the last line. */
        Thread pump;

        Proc(String name, Process process) {
            this.name = name;
            this.process = process;
        }

        long pid() {
            return process.pid();
        }
    }

    private Proc start(String name, List<String> jvm, List<String> args, Map<String, String> env, String ready,
                       Consumer<String> lines) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        if (BENCH_TOOLS.contains(args.get(0))) {
            // the benchmark's own tools are not in huibo.jar: they run from this suite's classpath
            cmd.add("-cp");
            cmd.add(System.getProperty("huibo.bench.classpath", System.getProperty("java.class.path")));
            cmd.add(BenchMain.class.getName());
        } else {
            cmd.add("-jar");
            cmd.add(jar.toAbsolutePath().toString());
        }
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Proc p = new Proc(name, pb.start());
        procs.add(p);
        CountDownLatch ok = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (p.output.size() < 5000) {
                        p.output.add(line);
                    }
                    if (lines != null) {
                        lines.accept(line);
                    }
                    if (ready != null && line.contains(ready)) {
                        ok.countDown();
                    }
                }
            } catch (IOException ignored) {
                // gone
            }
            ok.countDown();
        }, name + "-out");
        pump.setDaemon(true);
        p.pump = pump;
        pump.start();
        if (ready != null && (!ok.await(90, TimeUnit.SECONDS) || !p.process.isAlive())) {
            stop(p);
            throw new IllegalStateException(name + " did not start:\n" + tail(p));
        }
        return p;
    }

    /** A finished load generator run with the CPU every observed process used in its window. */
    final class LoadRun {
        JsonObject result;
        Map<String, Long> before;
        Map<String, Long> after;
        double windowSeconds;

        double cpuSeconds(String name) {
            Long a = after == null ? null : after.get(name);
            Long b = before == null ? null : before.get(name);
            return a == null || b == null || a < 0 || b < 0 ? 0 : (a - b) / Stats.TICKS_PER_SECOND;
        }
    }

    private LoadRun loadgen(String label, List<String> args, List<Proc> observed) throws Exception {
        return loadgenSampling(label, args, observed, null);
    }

    private LoadRun loadgenSampling(String label, List<String> args, List<Proc> observed, double[] maxRss)
            throws Exception {
        System.out.println("-- " + label);
        LoadRun run = new LoadRun();
        long[] w = new long[2];
        Proc[] self = new Proc[1];
        CountDownLatch started = new CountDownLatch(1);
        List<String> full = new ArrayList<>(List.of("loadgen"));
        full.addAll(args);
        Proc p = start("loadgen", List.of("-Xmx512m"), full, Map.of("HUIBO_DB_PASSWORD", dbPassword), null, line -> {
            try {
                started.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Proc> all = new ArrayList<>(observed);
            all.add(self[0]);
            if (line.startsWith("WINDOW START") && run.before == null) {
                run.before = sample(all);
                w[0] = System.nanoTime();
            } else if (line.startsWith("WINDOW END")) {
                run.after = sample(all);
                w[1] = System.nanoTime();
            } else if (line.startsWith("RESULT ")) {
                run.result = new JsonObject(line.substring(7));
            }
        });
        self[0] = p;
        started.countDown();
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(5);
        while (p.process.isAlive() && System.currentTimeMillis() < deadline) {
            if (maxRss != null && run.before != null && run.after == null) {
                for (Proc o : observed) {
                    maxRss[0] = Math.max(maxRss[0], Stats.rssMiB(o.pid()));
                }
            }
            p.process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        if (p.process.isAlive()) {
            stop(p);
        }
        // the last lines (the result) may still be on their way through the pump: on a busy machine
        // a fixed pause lost them
        p.pump.join(TimeUnit.SECONDS.toMillis(10));
        procs.remove(p);
        if (run.result == null) {
            throw new IllegalStateException(label + ": the load generator gave no result:\n" + tail(p));
        }
        run.windowSeconds = (w[1] - w[0]) / 1e9;
        if (run.before != null && run.after != null) {
            cpuLine(label, run.before, run.after, run.windowSeconds);
        }
        System.out.println("   " + run.result.encode());
        return run;
    }

    /** CPU ticks of the given processes plus MariaDB and Redis, by name. */
    private Map<String, Long> sample(List<Proc> ps) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Proc p : ps) {
            if (p != null) {
                m.put(p.name, Stats.cpuTicks(p.pid()));
                if (p.name.equals("huibo") || p.name.equals("agi-baseline")) {
                    // the servers' JIT and GC shares: on 2 shared cores a minute-long benchmark still
                    // pays C2's warm-up, which a long-running server does not
                    m.put(p.name + " (JIT)", Stats.threadTicks(p.pid(), "C1 CompilerThre", "C2 CompilerThre"));
                    m.put(p.name + " (GC)", Stats.threadTicks(p.pid(), "VM Thread", "GC Thread", "G1 "));
                }
            }
        }
        for (Map.Entry<String, Long> e : services().entrySet()) {
            m.put(e.getKey(), Stats.cpuTicks(e.getValue()));
        }
        return m;
    }

    private Map<String, Long> servicePids;

    private Map<String, Long> services() {
        if (servicePids == null) {
            servicePids = new LinkedHashMap<>();
            try (var dirs = Files.list(Path.of("/proc"))) {
                dirs.filter(d -> d.getFileName().toString().matches("[0-9]+")).forEach(d -> {
                    try {
                        String comm = Files.readString(d.resolve("comm")).trim();
                        if (comm.equals("mariadbd") || comm.equals("mysqld")) {
                            servicePids.put("mariadb", Long.parseLong(d.getFileName().toString()));
                        } else if (comm.startsWith("redis-server")) {
                            servicePids.put("redis", Long.parseLong(d.getFileName().toString()));
                        }
                    } catch (IOException | RuntimeException ignored) {
                        // raced with an exiting process
                    }
                });
            } catch (IOException ignored) {
                // no /proc: no service CPU
            }
        }
        return servicePids;
    }

    private void cpuLine(String label, Map<String, Long> before, Map<String, Long> after, double secs) {
        StringBuilder sb = new StringBuilder("| ").append(label).append(" | ")
                .append(String.format(Locale.ROOT, "%.1f s", secs)).append(" |");
        for (Map.Entry<String, Long> e : after.entrySet()) {
            Long b = before.get(e.getKey());
            if (b == null || b < 0 || e.getValue() < 0) {
                continue;
            }
            double s = (e.getValue() - b) / Stats.TICKS_PER_SECOND;
            sb.append(String.format(Locale.ROOT, " %s %.2f s (%.0f%%)", e.getKey(), s, 100 * s / Math.max(1e-9, secs)))
                    .append(';');
        }
        sb.append(" |");
        cpu.add(sb.toString());
    }

    private void stop(Proc p) {
        if (p == null) {
            return;
        }
        p.process.destroy();
        try {
            if (!p.process.waitFor(15, TimeUnit.SECONDS)) {
                p.process.destroyForcibly();
                p.process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        procs.remove(p);
    }

    private void stopAll() {
        for (Proc p : List.copyOf(procs)) {
            stop(p);
        }
        huibo = null;
        sim = null;
    }

    private static String tail(Proc p) {
        List<String> o = p.output;
        return String.join("\n", o.subList(Math.max(0, o.size() - 40), o.size()));
    }

    // ------------------------------------------------------------------ helpers

    private String submitOne(String number, String destination, Instant at) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/callbacks"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("number", number)
                        .put("destination", destination).put("at", at.toString()).encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("submit: " + r.statusCode() + " " + r.body());
        }
        return new JsonObject(r.body()).getString("id");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Connection db() throws Exception {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + dbName, dbUser, dbPassword);
    }

    private void dropDatabase() {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", dbUser, dbPassword);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + dbName + "`");
        } catch (Exception e) {
            System.err.println("could not drop " + dbName + ": " + e.getMessage());
        }
        try (var client = io.lettuce.core.RedisClient.create(redisUri); var conn = client.connect()) {
            var keys = conn.sync().keys("{" + prefix + "*");
            for (String k : keys) {
                conn.sync().unlink(k);
            }
        } catch (RuntimeException e) {
            System.err.println("could not clean Redis keys: " + e.getMessage());
        }
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        long d = epochMillis - System.currentTimeMillis();
        if (d > 0) {
            Thread.sleep(d);
        }
    }

    private static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v;
    }

    private static String rnd() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static String fmt(double d) {
        return d >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String ms(double d) {
        return String.format(Locale.ROOT, "%.1f ms", d);
    }

    // ------------------------------------------------------------------ report

    private String table() {
        StringBuilder sb = new StringBuilder("| benchmark | figure | result | target | pass |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.bench()).append(" | ").append(r.figure()).append(" | ").append(r.value())
                    .append(" | ").append(r.target()).append(" | ")
                    .append(r.pass() == null ? "-" : r.pass() ? "PASS" : "FAIL").append(" |\n");
        }
        return sb.toString();
    }

    private void writeReport(String table, double minutes) throws Exception {
        String keep = "";
        if (Files.exists(out)) {
            String old = Files.readString(out);
            int i = old.indexOf(FINDINGS);
            if (i >= 0) {
                keep = old.substring(i);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Generated by `").append(command).append("` on ").append(Instant.now()).append(" (took ")
                .append(String.format(Locale.ROOT, "%.1f", minutes)).append(" min")
                .append(smoke ? ", SMOKE sizes: not a real run" : "").append(").\n\n");
        md.append("## Machine\n\n");
        md.append("- CPUs (nproc): ").append(Runtime.getRuntime().availableProcessors()).append('\n');
        md.append("- CPU: ").append(procLine("/proc/cpuinfo", "model name")).append('\n');
        md.append("- memory: ").append(procLine("/proc/meminfo", "MemTotal")).append('\n');
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- MariaDB and Redis: the local services on 127.0.0.1 (see `scripts/lib`), defaults\n");
        md.append("\nEverything runs on this one machine, over loopback: Huibo, the simulator, the load generator, "
                + "MariaDB and Redis share the same ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, so each figure is a floor for Huibo on a machine of its own.\n\n");
        md.append("## Results\n\n").append(table).append('\n');
        md.append("## CPU used in each measured window\n\n");
        md.append("utime+stime from /proc/<pid>/stat at the window's start and end; % is of one core. "
                + "\"huibo (JIT)\" and \"huibo (GC)\" (likewise for agi-baseline) are parts of the process "
                + "before them: its JIT compiler threads, and the threads its collector runs in (the serial "
                + "collector runs in the VM Thread).\n\n");
        md.append("| run | window | CPU by process |\n|---|---|---|\n");
        cpu.forEach(l -> md.append(l).append('\n'));
        md.append('\n');
        if (!notes.isEmpty()) {
            md.append("## Setup\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
        md.append(keep.isEmpty() ? FINDINGS + "\n\n(none recorded yet)\n" : keep);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString());
    }

    static final String FINDINGS = "## Findings and changes";

    private static String procLine(String file, String key) {
        try {
            for (String l : Files.readAllLines(Path.of(file))) {
                if (l.startsWith(key)) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "unknown";
    }
}
