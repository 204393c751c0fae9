package io.huibo.bench;

import io.huibo.domain.CallbackIds;
import io.huibo.queue.CallbackQueue;
import io.huibo.redis.RedisScripts;
import io.huibo.queue.Claim;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code huibo loadgen}: the benchmark load generator, a process of its own so that its CPU is
 * accounted apart from the server's. Each mode prints {@code WINDOW START} and {@code WINDOW END}
 * around its measured window (the suite samples every process's CPU at those lines) and one
 * {@code RESULT {json}} line at the end. Loops are bounded by time or count; loopback only.
 */
@Command(name = "loadgen", hidden = true, mixinStandardHelpOptions = true,
        description = "Benchmark load generator (see scripts/bench).",
        subcommands = {LoadgenCommand.Http.class, LoadgenCommand.DbCeiling.class, LoadgenCommand.Agi.class,
                LoadgenCommand.QueueScale.class, BenchSuite.class})
public final class LoadgenCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static void window(String edge) {
        System.out.println("WINDOW " + edge + " " + System.nanoTime());
        System.out.flush();
    }

    static void result(JsonObject o) {
        o.put("loadgenCpuTicks", Stats.cpuTicks(ProcessHandle.current().pid()));
        System.out.println("RESULT " + o.encode());
        System.out.flush();
    }

    private static void only(String host) {
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            throw new CommandLine.ParameterException(new CommandLine(new LoadgenCommand()),
                    "the load generator only drives loopback targets");
        }
    }

    // ------------------------------------------------------------------ HTTP

    /** POST /v1/callbacks by N keep-alive connections, each one request at a time (no pipelining). */
    @Command(name = "http", description = "Durable accept: POST /v1/callbacks.")
    static final class Http implements Callable<Integer> {
        @Option(names = "--port", required = true) int port;
        @Option(names = "--token", required = true) String token;
        @Option(names = "--connections", defaultValue = "64") int connections;
        @Option(names = "--warmup", defaultValue = "3s") String warmup;
        @Option(names = "--duration", defaultValue = "15s") String duration;
        @Option(names = "--count", defaultValue = "0", description = "stop after this many accepted (0: by time)") long count;
        @Option(names = "--number", defaultValue = "+4930000001") String number;
        @Option(names = "--destination", defaultValue = "+4930000002") String destination;
        @Option(names = "--at-start", defaultValue = "0", description = "epoch ms of the first due time (0: 'at' one day ahead)") long atStart;
        @Option(names = "--at-rate", defaultValue = "0", description = "due times spaced at this rate per second") double atRate;
        @Option(names = "--ids-out", description = "write id,dueAtMillis lines here") Path idsOut;

        @Override
        public Integer call() throws Exception {
            long warmNs = parse(warmup).toNanos();
            long durNs = parse(duration).toNanos();
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
            HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
                            .setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true)
                            .setPipelining(false).setTcpNoDelay(true).setConnectTimeout(5000),
                    new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
            Stats lat = new Stats();
            LongAdder ok = new LongAdder();
            LongAdder errors = new LongAdder();
            AtomicLong seq = new AtomicLong();
            Map<String, Long> ids = idsOut != null ? new ConcurrentHashMap<>() : null;
            long t0 = System.nanoTime();
            long measureFrom = count > 0 ? t0 : t0 + warmNs;
            long stopAt = count > 0 ? t0 + TimeUnit.MINUTES.toNanos(5) : measureFrom + durNs;
            AtomicBoolean started = new AtomicBoolean(count > 0);
            if (count > 0) {
                window("START");
            }
            long farFuture = Instant.now().plus(Duration.ofDays(1)).toEpochMilli();
            CountDownLatch done = new CountDownLatch(connections);
            AtomicLong measuredOk = new AtomicLong();
            for (int c = 0; c < connections; c++) {
                vertx.runOnContext(v -> new Runnable() {
                    @Override
                    public void run() {
                        long now = System.nanoTime();
                        if (now >= stopAt || (count > 0 && seq.get() >= count)) {
                            done.countDown();
                            return;
                        }
                        if (!started.get() && now >= measureFrom && started.compareAndSet(false, true)) {
                            window("START");
                        }
                        long i = seq.getAndIncrement();
                        long due = atStart > 0 && atRate > 0 ? atStart + (long) (i * 1000.0 / atRate) : farFuture;
                        String body = new JsonObject().put("number", number).put("destination", destination)
                                .put("at", Instant.ofEpochMilli(due).toString()).encode();
                        long sent = System.nanoTime();
                        client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/callbacks")
                                        .putHeader("Authorization", "Bearer " + token)
                                        .putHeader("Content-Type", "application/json"))
                                .compose(req -> req.send(Buffer.buffer(body)))
                                .compose(resp -> resp.body().map(b -> resp.statusCode() == 202 ? b : null))
                                .onComplete(ar -> {
                                    long end = System.nanoTime();
                                    if (ar.succeeded() && ar.result() != null) {
                                        if (sent >= measureFrom && end <= stopAt) {
                                            lat.add((end - sent) / 1000);
                                            measuredOk.incrementAndGet();
                                        }
                                        ok.increment();
                                        if (ids != null) {
                                            ids.put(new JsonObject(ar.result()).getString("id"), due);
                                        }
                                    } else {
                                        errors.increment();
                                    }
                                    run();
                                });
                    }
                }.run());
            }
            done.await(durNs / 1_000_000 + warmNs / 1_000_000 + 330_000, TimeUnit.MILLISECONDS);
            long measuredNs = Math.min(System.nanoTime(), stopAt) - measureFrom;
            window("END");
            if (ids != null) {
                List<String> lines = new ArrayList<>(ids.size());
                ids.forEach((id, due) -> lines.add(id + "," + due));
                Files.write(idsOut, lines);
            }
            result(new JsonObject().put("mode", "http").put("connections", connections)
                    .put("accepted", ok.sum()).put("errors", errors.sum())
                    .put("measured", measuredOk.get()).put("seconds", measuredNs / 1e9)
                    .put("rate", measuredOk.get() / (measuredNs / 1e9))
                    .put("p50", lat.pctMillis(50)).put("p99", lat.pctMillis(99)).put("max", lat.pctMillis(100)));
            client.close();
            vertx.close();
            return 0;
        }
    }

    // ------------------------------------------------------------------ MariaDB ceiling

    /** The raw multi-row INSERT rate of MariaDB: the ceiling for the group commit of callbacks. */
    @Command(name = "db-ceiling", description = "MariaDB raw batched INSERT rate.")
    static final class DbCeiling implements Callable<Integer> {
        @Option(names = "--db-url", required = true) String url;
        @Option(names = "--db-user", defaultValue = "huibo") String user;
        @Option(names = "--rows", defaultValue = "500", description = "rows per INSERT (the store's batch size)") int rows;
        @Option(names = "--duration", defaultValue = "8s") String duration;

        @Override
        public Integer call() throws Exception {
            String password = System.getenv().getOrDefault("HUIBO_DB_PASSWORD", "huibo-dev-password");
            long durNs = parse(duration).toNanos();
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS bench_ceiling");
                    // same columns and indexes as the callbacks the store writes
                    s.execute("CREATE TABLE bench_ceiling LIKE callbacks");
                }
                StringBuilder sql = new StringBuilder("INSERT INTO bench_ceiling (id, number, destination, priority, "
                        + "max_attempts, metadata, state, attempts, due_at, created_at, updated_at, flow, confirm) VALUES ");
                for (int i = 0; i < rows; i++) {
                    sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?,?,?,?)");
                }
                long inserted = 0;
                long batches = 0;
                window("START");
                long t0 = System.nanoTime();
                long end = t0 + durNs;
                try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                    while (System.nanoTime() < end && batches < 1_000_000) {
                        int k = 1;
                        Timestamp now = new Timestamp(System.currentTimeMillis());
                        for (int i = 0; i < rows; i++) {
                            ps.setString(k++, CallbackIds.next());
                            ps.setString(k++, "+4930000001");
                            ps.setString(k++, "+4930000002");
                            ps.setInt(k++, 0);
                            ps.setInt(k++, 3);
                            ps.setString(k++, "{}");
                            ps.setString(k++, "queued");
                            ps.setInt(k++, 0);
                            ps.setTimestamp(k++, now);
                            ps.setTimestamp(k++, now);
                            ps.setTimestamp(k++, now);
                            ps.setString(k++, "customer-first");
                            ps.setBoolean(k++, false);
                        }
                        ps.executeUpdate(); // autocommit: one commit (log flush) per batch, as the store does
                        inserted += rows;
                        batches++;
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                window("END");
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS bench_ceiling");
                }
                result(new JsonObject().put("mode", "db-ceiling").put("rowsPerInsert", rows).put("rows", inserted)
                        .put("batches", batches).put("seconds", secs).put("rate", inserted / secs));
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------ FastAGI

    /**
     * Closed-loop FastAGI: each of C clients connects, sends the environment as Asterisk 20 does,
     * answers every command with {@code 200 result=1}, and starts again when the server closes.
     */
    @Command(name = "agi", description = "FastAGI closed loop.")
    static final class Agi implements Callable<Integer> {
        @Option(names = "--host", defaultValue = "127.0.0.1") String host;
        @Option(names = "--port", required = true) int port;
        @Option(names = "--clients", defaultValue = "1000") int clients;
        @Option(names = "--warmup", defaultValue = "3s") String warmup;
        @Option(names = "--duration", defaultValue = "10s") String duration;
        @Option(names = "--callback-id", required = true) String callbackId;
        @Option(names = "--attempt", defaultValue = "1") int attempt;
        @Option(names = "--session-timeout", defaultValue = "10s") String sessionTimeout;
        @Option(names = "--source-ips", defaultValue = "8",
                description = "spread connections over 127.0.0.1..N so no 4-tuple is reused while in TIME_WAIT") int sourceIps;

        private final LongAdder sessions = new LongAdder();
        private final LongAdder refused = new LongAdder();
        private final LongAdder reset = new LongAdder();
        private final LongAdder unanswered = new LongAdder();
        private final LongAdder timedOut = new LongAdder();
        private final LongAdder otherErrors = new LongAdder();
        private final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();
        private final Stats lat = new Stats();
        private volatile boolean measuring;
        private volatile boolean stopping;

        @Override
        public Integer call() throws Exception {
            only(host);
            long warmNs = parse(warmup).toNanos();
            long durNs = parse(duration).toNanos();
            long timeoutNs = parse(sessionTimeout).toNanos();
            byte[] env = environment().getBytes(StandardCharsets.US_ASCII);
            // one thread, one selector, no per-session objects beyond a small buffer: a generator that
            // costs far less per session than the servers it drives (the first one, on Vert.x NetClient
            // with a timer and a line parser per session, cost more CPU than Huibo itself)
            Selector sel = Selector.open();
            InetSocketAddress target = new InetSocketAddress(host, port);
            Conn[] conns = new Conn[clients];
            long t0 = System.nanoTime();
            long measureFrom = t0 + warmNs;
            long stopAt = measureFrom + durNs;
            for (int c = 0; c < clients; c++) {
                conns[c] = new Conn(c, new InetSocketAddress("127.0.0." + (1 + c % Math.max(1, sourceIps)), 0));
                // stagger the first connects over ~0.5 s, as calls arrive, not as a SYN flood in one tick
                conns[c].notBefore = t0 + (c % 500) * 1_000_000L;
            }
            boolean started = false;
            boolean ended = false;
            double secs = durNs / 1e9;
            long nextScan = 0;
            while (true) {
                long now = System.nanoTime();
                if (!started && now >= measureFrom) {
                    started = true;
                    measuring = true;
                    window("START");
                }
                if (!ended && now >= stopAt) {
                    ended = true;
                    measuring = false;
                    stopping = true;
                    secs = (now - measureFrom) / 1e9;
                    window("END");
                }
                if (now >= nextScan) {
                    nextScan = now + 2_000_000;
                    int live = 0;
                    for (Conn c : conns) {
                        if (c.ch == null && !stopping && now >= c.notBefore) {
                            c.open(sel, target);
                        } else if (c.ch != null && now - c.start > timeoutNs) {
                            if (c.counted && measuring) {
                                timedOut.increment();
                                unanswered.increment();
                            }
                            c.close();
                        }
                        if (c.ch != null) {
                            live++;
                        }
                    }
                    if (stopping && (live == 0 || now > stopAt + timeoutNs + 2_000_000_000L)) {
                        break;
                    }
                }
                sel.select(2);
                for (SelectionKey k : sel.selectedKeys()) {
                    Conn c = (Conn) k.attachment();
                    try {
                        if (k.isValid() && k.isConnectable()) {
                            c.ch.finishConnect();
                            c.write(k, ByteBuffer.wrap(env));
                        }
                        if (k.isValid() && k.isWritable()) {
                            c.write(k, null);
                        }
                        if (k.isValid() && k.isReadable()) {
                            c.read(k);
                        }
                    } catch (IOException e) {
                        count(c.counted && measuring, e);
                        c.close();
                    }
                }
                sel.selectedKeys().clear();
            }
            long running = 0;
            for (Conn c : conns) {
                if (c.ch != null) {
                    running++;
                    c.close();
                }
            }
            sel.close();
            JsonObject dec = new JsonObject();
            decisions.forEach((k, v) -> dec.put(k, v.sum()));
            result(new JsonObject().put("mode", "agi").put("clients", clients).put("sessions", sessions.sum())
                    .put("seconds", secs).put("rate", sessions.sum() / secs)
                    .put("p50", lat.pctMillis(50)).put("p99", lat.pctMillis(99)).put("max", lat.pctMillis(100))
                    .put("refused", refused.sum()).put("reset", reset.sum()).put("unanswered", unanswered.sum())
                    .put("timedOut", timedOut.sum()).put("otherErrors", otherErrors.sum())
                    .put("stillRunning", running).put("decisions", dec));
            return 0;
        }

        private static final byte[] OK = "200 result=1\n".getBytes(StandardCharsets.US_ASCII);

        /** One simulated Asterisk channel: a session at a time, a new one when the server closes. */
        private final class Conn {
            final int n;
            final InetSocketAddress local;
            SocketChannel ch;
            long start;
            long notBefore;
            boolean counted;
            int commands;
            final byte[] line = new byte[512];
            int lineLen;
            ByteBuffer out;
            final ByteBuffer in = ByteBuffer.allocate(2048);

            Conn(int n, InetSocketAddress local) {
                this.n = n;
                this.local = local;
            }

            void open(Selector sel, InetSocketAddress target) {
                start = System.nanoTime();
                counted = measuring;
                commands = 0;
                lineLen = 0;
                out = null;
                try {
                    ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.bind(local);
                    if (ch.connect(target)) {
                        SelectionKey k = ch.register(sel, 0, this);
                        write(k, ByteBuffer.wrap(environmentBytes()));
                    } else {
                        ch.register(sel, SelectionKey.OP_CONNECT, this);
                    }
                } catch (IOException e) {
                    count(counted, e);
                    close();
                    notBefore = System.nanoTime() + 10_000_000L;
                }
            }

            void write(SelectionKey k, ByteBuffer b) throws IOException {
                if (b != null) {
                    out = out == null ? b : concat(out, b);
                }
                if (out != null) {
                    ch.write(out);
                    if (!out.hasRemaining()) {
                        out = null;
                    }
                }
                k.interestOps(out == null ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }

            void read(SelectionKey k) throws IOException {
                in.clear();
                int r = ch.read(in);
                if (r < 0) {
                    // the server closed: the session is over
                    if (counted && measuring) {
                        if (commands == 0) {
                            unanswered.increment();
                        } else {
                            sessions.increment();
                            lat.add((System.nanoTime() - start) / 1000);
                        }
                    }
                    close();
                    return;
                }
                byte[] a = in.array();
                for (int i = 0; i < r; i++) {
                    byte b = a[i];
                    if (b == '\n') {
                        if (lineLen > 0) {
                            commands++;
                            if (lineLen > 12 && line[0] == 'S' && line[4] == 'V') {
                                decision(new String(line, 0, lineLen, StandardCharsets.US_ASCII));
                            }
                            write(k, ByteBuffer.wrap(OK));
                        }
                        lineLen = 0;
                    } else if (lineLen < line.length) {
                        line[lineLen++] = b;
                    }
                }
            }

            void close() {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
                ch = null;
            }
        }

        private byte[] envBytes;

        private byte[] environmentBytes() {
            if (envBytes == null) {
                envBytes = environment().getBytes(StandardCharsets.US_ASCII);
            }
            return envBytes;
        }

        private static ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
            ByteBuffer c = ByteBuffer.allocate(a.remaining() + b.remaining());
            c.put(a).put(b).flip();
            return c;
        }

        private String environment() {
            // the order and keys of a real Asterisk 20 FastAGI request (asterisk-traces/fastagi-session)
            return "agi_network: yes\n"
                    + "agi_network_script: route?leg=a\n"
                    + "agi_request: agi://127.0.0.1:" + port + "/route?leg=a\n"
                    + "agi_channel: Local/s@huibo-leg-a-00000006;2\n"
                    + "agi_language: en\n"
                    + "agi_type: Local\n"
                    + "agi_uniqueid: 1795629987.21\n"
                    + "agi_version: 20.20.1\n"
                    + "agi_callerid: unknown\n"
                    + "agi_calleridname: unknown\n"
                    + "agi_callingpres: 67\n"
                    + "agi_callingani2: 0\n"
                    + "agi_callington: 0\n"
                    + "agi_callingtns: 0\n"
                    + "agi_dnid: unknown\n"
                    + "agi_rdnis: unknown\n"
                    + "agi_context: huibo-leg-a\n"
                    + "agi_extension: s\n"
                    + "agi_priority: 2\n"
                    + "agi_enhanced: 0.0\n"
                    + "agi_accountcode: \n"
                    + "agi_threadid: 140101586937536\n"
                    + "agi_arg_1: " + callbackId + "\n"
                    + "agi_arg_2: " + attempt + "\n"
                    + "\n";
        }

        private void count(boolean counted, Throwable t) {
            if (!counted) {
                return;
            }
            String m = String.valueOf(t.getMessage()).toLowerCase();
            if (t instanceof ConnectException || m.contains("refused")) {
                refused.increment();
            } else if (m.contains("reset") || t instanceof SocketException) {
                reset.increment();
            } else if (t instanceof IOException) {
                reset.increment();
            } else {
                otherErrors.increment();
            }
        }

        /** {@code SET VARIABLE HUIBO_DIAL "PJSIP/..."}: the name and value, quotes removed. */
        private void decision(String line) {
            String rest = line.substring("SET VARIABLE".length()).trim().replace("\"", "");
            int sp = rest.indexOf(' ');
            String name = sp < 0 ? rest : rest.substring(0, sp);
            String value = sp < 0 ? "" : rest.substring(sp + 1).trim();
            String key = name.startsWith("HUIBO_DIAL_") || name.equals("HUIBO_ERROR") ? name + "=" + value : name;
            decisions.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
    }

    // ------------------------------------------------------------------ queue scale

    /**
     * Claim latency with N callbacks pending, and Redis memory per pending callback. The first
     * callbacks are queued through {@link CallbackQueue#enqueue} (its Lua script); the bulk is loaded
     * with pipelined ZADDs of the same members and scores, which is what that script writes.
     */
    @Command(name = "queue", description = "Queue scale: claim latency and memory per pending callback.")
    static final class QueueScale implements Callable<Integer> {
        @Option(names = "--redis", defaultValue = "redis://127.0.0.1:6379") String redisUri;
        @Option(names = "--prefix", required = true) String prefix;
        @Option(names = "--pending", defaultValue = "1000") int pending;
        @Option(names = "--samples", defaultValue = "2000") int samples;
        @Option(names = "--batch", defaultValue = "100", description = "callbacks per claim (the dispatcher's claimBatch)") int batch;

        @Override
        public Integer call() throws Exception {
            if (!redisUri.startsWith("redis://127.0.0.1") && !redisUri.startsWith("redis://localhost")) {
                throw new IllegalArgumentException("loopback Redis only");
            }
            RedisScripts redis = RedisScripts.connect(redisUri, prefix);
            CallbackQueue queue = new CallbackQueue(redis);
            RedisClient client = RedisClient.create(redisUri);
            StatefulRedisConnection<String, String> conn = client.connect();
            String base = "{" + prefix + "}";
            try {
                long before = usedMemory(conn);
                Instant due = Instant.now().minusSeconds(60);
                int viaScript = Math.min(pending, 1000);
                List<Future<Boolean>> fs = new ArrayList<>(viaScript);
                for (int i = 0; i < viaScript; i++) {
                    fs.add(queue.enqueue(CallbackIds.next(), 0, due));
                }
                Future.all(fs).await(60, TimeUnit.SECONDS);
                RedisAsyncCommands<String, String> async = conn.async();
                long dueScore = due.toEpochMilli() * 4096;
                int rest = pending - viaScript;
                long seq = viaScript;
                List<io.lettuce.core.RedisFuture<?>> pipe = new ArrayList<>();
                for (int done = 0; done < rest; ) {
                    int n = Math.min(1000, rest - done);
                    List<ScoredValue<String>> members = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        seq++;
                        members.add(ScoredValue.just(dueScore + (seq % 4096), CallbackIds.next()));
                    }
                    @SuppressWarnings("unchecked")
                    ScoredValue<String>[] arr = members.toArray(new ScoredValue[0]);
                    pipe.add(async.zadd(base + ":ready:0", (Object[]) arr));
                    done += n;
                    if (pipe.size() >= 64) {
                        for (var f : pipe) {
                            f.get(60, TimeUnit.SECONDS);
                        }
                        pipe.clear();
                    }
                }
                for (var f : pipe) {
                    f.get(60, TimeUnit.SECONDS);
                }
                async.incrby(base + ":seq", rest).get(10, TimeUnit.SECONDS);
                long after = usedMemory(conn);
                long zsetBytes = conn.sync().memoryUsage(base + ":ready:0");
                long pendingNow = queue.pendingCount().await(10, TimeUnit.SECONDS);

                window("START");
                Stats one = claimLatency(queue, 1, Math.max(1, samples));
                Stats many = claimLatency(queue, batch, Math.max(1, samples / 4));
                window("END");
                result(new JsonObject().put("mode", "queue").put("pending", pendingNow)
                        .put("usedMemoryDelta", after - before)
                        .put("bytesPerPending", (after - before) / (double) pending)
                        .put("zsetBytesPerPending", zsetBytes / (double) pending)
                        .put("claim1P50", one.pctMillis(50)).put("claim1P99", one.pctMillis(99))
                        .put("claimBatch", batch)
                        .put("claimBatchP50", many.pctMillis(50)).put("claimBatchP99", many.pctMillis(99)));
            } finally {
                var keys = conn.sync().keys(base + "*");
                for (String k : keys) {
                    conn.sync().unlink(k);
                }
                conn.close();
                client.shutdown();
                redis.close();
            }
            return 0;
        }

        /** Claims {@code n}, measured alone, then puts them back (due now) so the queue keeps its size. */
        private static Stats claimLatency(CallbackQueue queue, int n, int samples) throws Exception {
            Stats s = new Stats();
            Duration ttl = Duration.ofMinutes(5);
            String owner = "bench-" + ProcessHandle.current().pid();
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                List<Claim> claims = queue.claim(n, ttl, owner).await(10, TimeUnit.SECONDS);
                s.add((System.nanoTime() - t0) / 1000);
                List<Future<Boolean>> back = new ArrayList<>(claims.size());
                for (Claim c : claims) {
                    back.add(queue.retry(c.id(), owner, c.fence(), 0, Duration.ZERO));
                }
                Future.all(back).await(10, TimeUnit.SECONDS);
            }
            return s;
        }

        private static long usedMemory(StatefulRedisConnection<String, String> conn) {
            for (String line : conn.sync().info("memory").split("\r?\n")) {
                if (line.startsWith("used_memory:")) {
                    return Long.parseLong(line.substring("used_memory:".length()).trim());
                }
            }
            return -1;
        }
    }

    static Duration parse(String s) {
        return io.huibo.config.ConfigLoader.parseDuration("duration", s);
    }

    static JsonArray array(List<?> l) {
        return new JsonArray(new ArrayList<>(l));
    }
}
