package io.huibo.redis;

import io.huibo.queue.QueueUnavailableException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way Huibo runs Lua on Redis: one Lettuce connection (async, so every caller's commands are
 * pipelined on it), every script loaded once and run with EVALSHA, sent in full (EVAL) when Redis answers
 * NOSCRIPT (it restarted, flushed its script cache, or is a cluster node that took over the slot).
 *
 * <p>Every key a script touches is named by {@link #key} and passed in KEYS, all under the one hash tag
 * {@code {prefix}}: on a Redis Cluster every script runs on the one primary that serves the tag's slot,
 * and the cluster client routes it there by its first key. Scripts take "now" from Redis {@code TIME},
 * never from an argument: the hosts' clocks may differ, Redis has one.
 */
public final class RedisScripts implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** A command must not wait forever while Redis is away; bounded callers use a shorter timeout. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A cluster's view is read again this often, and at once (at most every few seconds) when Redis
     * redirects a command or a node stays unreachable: a resharding or a failover is followed.
     */
    static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(10);

    private static final String PRELUDE = "_prelude.lua";
    /** A cluster client's "Cannot retrieve cluster partitions from [uris] Details: [uri]: why". */
    private static final Pattern SEED_FAILURE = Pattern.compile("Details:\\s*\\[[^\\]]*\\]:\\s*(.+?)(?:\\s+\\[|$)");

    /** A loaded script: its source and the SHA Redis knows it by. */
    public record Script(String name, String body, String sha) {
    }

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    /** What a standalone and a cluster connection have in common; a cluster's routes each script by its keys. */
    private final RedisClusterAsyncCommands<String, String> redis;
    private final String tag;
    private final ConcurrentHashMap<String, Script> loaded = new ConcurrentHashMap<>();

    private RedisScripts(AbstractRedisClient client, StatefulConnection<String, String> connection,
                         RedisClusterAsyncCommands<String, String> redis, String prefix) {
        this.client = client;
        this.connection = connection;
        this.redis = redis;
        this.tag = "{" + prefix + "}";
    }

    /** {@link #connect(String, boolean, String, String)} to one Redis server (not a cluster), without TLS options. */
    public static RedisScripts connect(String redisUri, String keyPrefix) {
        return connect(redisUri, false, keyPrefix, "");
    }

    /**
     * Connects. Blocking (call it at start, not on an event loop); fails within a few seconds with a
     * one-line {@link QueueUnavailableException} if Redis cannot be reached.
     *
     * @param cluster {@code redisUri} names seed nodes of a Redis Cluster ({@code redis://h1:p1,h2:p2}),
     *                any of which may be down
     * @param caFile  for a {@code rediss://} URI: the PEM file of the authorities whose certificates are
     *                trusted instead of the JVM's; empty: the JVM's
     */
    public static RedisScripts connect(String redisUri, boolean cluster, String keyPrefix, String caFile) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
            throw new IllegalArgumentException("redis key prefix must be non-empty and without braces");
        }
        String shown = redact(redisUri);
        List<RedisURI> uris;
        try {
            uris = cluster ? RedisClusterURIUtil.toRedisURIs(URI.create(redisUri)) : List.of(RedisURI.create(redisUri));
        } catch (RuntimeException e) {
            throw new QueueUnavailableException("Invalid Redis URI " + shown + ": " + oneLine(e), e);
        }
        uris.forEach(u -> u.setTimeout(COMMAND_TIMEOUT));
        // the options both clients share (a cluster's add how it follows the topology)
        ClientOptions options = ClientOptions.builder()
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .sslOptions(sslOptions(caFile))
                .build();
        AbstractRedisClient client = null;
        try {
            if (cluster) {
                RedisClusterClient c = RedisClusterClient.create(uris);
                client = c;
                c.setOptions(clusterOptions(options));
                StatefulRedisClusterConnection<String, String> connection = c.connect(StringCodec.UTF8);
                return new RedisScripts(c, connection, connection.async(), keyPrefix);
            }
            RedisClient c = RedisClient.create(uris.get(0));
            client = c;
            c.setOptions(options);
            StatefulRedisConnection<String, String> connection = c.connect(StringCodec.UTF8);
            return new RedisScripts(c, connection, connection.async(), keyPrefix);
        } catch (RedisException e) {
            if (client != null) {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
            String why = oneLine(e);
            // a cluster client's failure says why its first seed refused
            Matcher seed = SEED_FAILURE.matcher(why);
            throw new QueueUnavailableException("Redis unreachable at " + shown + ": "
                    + (seed.find() ? seed.group(1) : why), e);
        }
    }

    /**
     * TLS for {@code rediss://} (a plain {@code redis://} URI ignores it); the URI's default peer check
     * stays on: the certificate must name the host the URI names.
     */
    static SslOptions sslOptions(String caFile) {
        SslOptions.Builder b = SslOptions.builder().jdkSslProvider().handshakeTimeout(CONNECT_TIMEOUT);
        if (caFile != null && !caFile.isEmpty()) {
            b.trustManager(new java.io.File(caFile));
        }
        return b.build();
    }

    private static ClusterClientOptions clusterOptions(ClientOptions common) {
        return ClusterClientOptions.builder(common)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                // a failed or half-joined node stays in CLUSTER NODES until it is forgotten: never dial it
                .nodeFilter(n -> !(n.is(RedisClusterNode.NodeFlag.FAIL) || n.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                        || n.is(RedisClusterNode.NodeFlag.HANDSHAKE) || n.is(RedisClusterNode.NodeFlag.NOADDR)))
                .build();
    }

    /**
     * The server that holds every key of this prefix: the one server, or on a cluster the primary that
     * serves the tag's slot (as far as the client's view of the topology knows). Commands without a key
     * (SCRIPT LOAD, PING) go there: a cluster client would send them to some node, or to all of them.
     */
    private CompletionStage<RedisClusterAsyncCommands<String, String>> home() {
        if (!(connection instanceof StatefulRedisClusterConnection<String, String> c)) {
            return CompletableFuture.completedFuture(redis);
        }
        int slot = SlotHash.getSlot(tag);
        RedisClusterNode node = c.getPartitions().getMasterBySlot(slot);
        if (node == null) {
            return CompletableFuture.failedFuture(
                    new RedisException("no Redis Cluster primary serves slot " + slot + " of " + tag));
        }
        return c.getConnectionAsync(node.getNodeId()).thenApply(StatefulRedisConnection::async);
    }

    /** The full name of one of Huibo's keys: {@code {prefix}:name}. */
    public String key(String name) {
        return tag + ":" + name;
    }

    /**
     * Loads {@code <anchor's package>/<name>.lua}, after the package's {@code _prelude.lua} if there is
     * one, into Redis (blocking: call it at start). Loading the same script twice returns the first.
     */
    public Script script(Class<?> anchor, String name) {
        String dir = "/" + anchor.getPackageName().replace('.', '/') + "/";
        String path = dir + name + ".lua";
        return loaded.computeIfAbsent(path, p -> {
            // a package's shared helpers (_prelude.lua), if it has any, come first: Lua scripts cannot
            // include one another
            String prelude = anchor.getResource(dir + PRELUDE) == null ? "" : read(anchor, dir + PRELUDE) + "\n";
            String body = prelude + read(anchor, p);
            try {
                // loaded where the scripts run; a node that takes the slot over later gets the script
                // with the first EVAL after its NOSCRIPT
                String sha = home().thenCompose(h -> h.scriptLoad(body)).toCompletableFuture()
                        .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return new Script(name, body, sha);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueueUnavailableException("interrupted loading Redis script " + name, e);
            } catch (ExecutionException | TimeoutException | RedisException e) {
                throw new QueueUnavailableException("Redis refused script " + name + ": " + oneLine(e), e);
            }
        });
    }

    /** Runs a script; the future completes on the caller's Vert.x context (never on Lettuce's threads). */
    public <T> Future<T> run(Script s, ScriptOutputType type, List<String> keys, List<String> argv) {
        return back(eval(s, type, keys, argv), Vertx.currentContext());
    }

    /**
     * {@link #run} that fails with a {@link TimeoutException} after {@code timeout} even while Redis is
     * silent, for callers whose next step must not wait for the connection's own timeout.
     */
    public <T> Future<T> run(Script s, ScriptOutputType type, Duration timeout, List<String> keys,
                             List<String> argv) {
        CompletableFuture<T> sent = this.<T>eval(s, type, keys, argv).toCompletableFuture();
        return back(sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS), Vertx.currentContext());
    }

    public Future<Boolean> ping() {
        CompletionStage<Boolean> stage;
        try {
            stage = home().thenCompose(RedisClusterAsyncCommands::ping).thenApply("PONG"::equals);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return back(stage, Vertx.currentContext());
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private <T> CompletionStage<T> eval(Script s, ScriptOutputType type, List<String> keys, List<String> argv) {
        String[] k = keys.toArray(String[]::new);
        String[] a = argv.toArray(String[]::new);
        CompletableFuture<T> result = new CompletableFuture<>();
        if (k.length == 0) {
            // a cluster routes a script by its first key: without one it would run on any node
            result.completeExceptionally(new IllegalArgumentException("script " + s.name() + " run without keys"));
            return result;
        }
        CompletionStage<T> sent;
        try {
            sent = redis.evalsha(s.sha(), type, k, a);
        } catch (RuntimeException e) {
            // Lettuce throws instead of failing the future once the connection is closed (shutdown):
            // callers handle one failure path only
            result.completeExceptionally(e);
            return result;
        }
        sent.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else if (unwrap(error) instanceof RedisNoScriptException) {
                // EVAL goes where the keys are (SCRIPT LOAD has no key to route by) and caches the
                // script there for the next EVALSHA
                redis.<T>eval(s.body(), type, k, a)
                        .whenComplete((v, e) -> {
                            if (e == null) {
                                result.complete(v);
                            } else {
                                result.completeExceptionally(unwrap(e));
                            }
                        });
            } else {
                result.completeExceptionally(unwrap(error));
            }
        });
        return result;
    }

    private static <T> Future<T> back(CompletionStage<T> stage, Context ctx) {
        if (ctx == null) {
            return Future.fromCompletionStage(stage);
        }
        Promise<T> p = Promise.promise();
        stage.whenComplete((v, e) -> ctx.runOnContext(x -> {
            if (e == null) {
                p.complete(v);
            } else {
                p.fail(unwrap(e));
            }
        }));
        return p.future();
    }

    // ---- reply helpers shared by the scripts' callers

    public static String str(Object o) {
        if (o == null) {
            return null;
        }
        String s = o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : o.toString();
        return s.isEmpty() ? null : s;
    }

    public static long num(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(str(o));
    }

    /** {@code ""} for null: Redis arguments cannot be null. */
    public static String nz(String s) {
        return s == null ? "" : s;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String read(Class<?> anchor, String path) {
        try (InputStream in = anchor.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing Redis script " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Redis script " + path, e);
        }
    }

    /** The URI without user and password, for messages. */
    public static String redact(String uri) {
        return uri == null ? "null" : uri.replaceFirst("(?<=://)[^@/]*@", "");
    }

    /**
     * The most telling message of a failure, on one line: the root cause without Netty's address suffix
     * ("Connection refused: /127.0.0.1:6390" -> "Connection refused").
     */
    public static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = root.getClass().getSimpleName();
        }
        msg = msg.replaceAll("[\\r\\n]+", " ").trim();
        int addr = msg.indexOf(": /");
        if (addr > 0) {
            msg = msg.substring(0, addr);
        }
        return msg;
    }
}
