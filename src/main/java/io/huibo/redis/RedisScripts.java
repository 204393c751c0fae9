package io.huibo.redis;

import io.huibo.queue.QueueUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * The one way Huibo runs Lua on Redis: one Lettuce connection (async, so every caller's commands are
 * pipelined on it), every script loaded once and run with EVALSHA, loaded again when Redis answers
 * NOSCRIPT (it restarted or flushed its script cache).
 *
 * <p>Every key a script touches is named by {@link #key} and passed in KEYS, all under the one hash tag
 * {@code {prefix}}, so the scripts also run on a Redis Cluster. Scripts take "now" from Redis
 * {@code TIME}, never from an argument: the hosts' clocks may differ, Redis has one.
 */
public final class RedisScripts implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** A command must not wait forever while Redis is away; bounded callers use a shorter timeout. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static final String PRELUDE = "_prelude.lua";

    /** A loaded script: its source and the SHA Redis knows it by. */
    public record Script(String name, String body, String sha) {
    }

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String tag;
    private final ConcurrentHashMap<String, Script> loaded = new ConcurrentHashMap<>();

    private RedisScripts(RedisClient client, StatefulRedisConnection<String, String> connection, String prefix) {
        this.client = client;
        this.connection = connection;
        this.redis = connection.async();
        this.tag = "{" + prefix + "}";
    }

    /**
     * Connects. Blocking (call it at start, not on an event loop); fails within a few seconds with a
     * one-line {@link QueueUnavailableException} if Redis cannot be reached.
     */
    public static RedisScripts connect(String redisUri, String keyPrefix) {
        return connect(redisUri, keyPrefix, "");
    }

    /**
     * @param caFile for a {@code rediss://} URI: the PEM file of the authorities whose certificates are
     *               trusted instead of the JVM's; empty: the JVM's
     */
    public static RedisScripts connect(String redisUri, String keyPrefix, String caFile) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
            throw new IllegalArgumentException("redis key prefix must be non-empty and without braces");
        }
        String shown = redact(redisUri);
        RedisURI uri;
        try {
            uri = RedisURI.create(redisUri);
        } catch (RuntimeException e) {
            throw new QueueUnavailableException("Invalid Redis URI " + shown + ": " + oneLine(e), e);
        }
        uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .sslOptions(sslOptions(caFile))
                .build());
        try {
            StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8);
            return new RedisScripts(client, connection, keyPrefix);
        } catch (RedisException e) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            throw new QueueUnavailableException("Redis unreachable at " + shown + ": " + oneLine(e), e);
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
                return new Script(name, body, connection.sync().scriptLoad(body));
            } catch (RedisException e) {
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
            stage = redis.ping().thenApply("PONG"::equals);
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
                redis.scriptLoad(s.body())
                        .thenCompose(sha -> redis.<T>evalsha(sha, type, k, a))
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
