package io.huibo.agi;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FastAGI server on a Vert.x {@link NetServer}: every session is a small state object driven by
 * the event loop, never a thread (asterisk-java's DefaultAgiServer is thread-per-call and gives up
 * beyond 500 concurrent sessions).
 *
 * <p>Protocol (res_agi.c, and the traces in asterisk-traces/): Asterisk sends {@code agi_key: value}
 * lines (LF; CRLF tolerated) up to a blank line, then the server sends one command line at a time and
 * reads one reply ({@code 200 result=N (data)}, {@code 510 ...}, {@code 511 ...}, or a
 * {@code 520-} ... {@code 520 End of proper usage.} block). {@code HANGUP} may arrive at any time.
 *
 * <p>Protection: only allowlisted peers; a silent peer is closed after the idle timeout (Netty's idle
 * handler, no timer per command); a line over 8 KiB, a non-AGI line, or a reply nobody asked for
 * closes that session only.
 */
public final class FastAgiServer {

    private static final Logger LOG = LoggerFactory.getLogger(FastAgiServer.class);

    /** Longest line accepted, line end excluded (Asterisk's own buffer is 8 KiB). */
    public static final int MAX_LINE = 8192;
    /** The environment is ~25 lines plus at most 127 arguments (res_agi MAX_ARGS 128). */
    static final int MAX_ENV_LINES = 256;
    /** Usage text of a 520 block is a few dozen lines. */
    static final int MAX_USAGE_LINES = 200;

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final AgiAllowlist allowlist;
    private final Duration idleTimeout;
    private final AgiScripts scripts;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder unknownScripts = new LongAdder();
    private final LongAdder idleTimeouts = new LongAdder();

    private volatile NetServer server;

    /**
     * @param host        address to bind ({@code 0.0.0.0} for all)
     * @param port        0 for an ephemeral port (see {@link #port()})
     * @param idleTimeout a session with no traffic for this long is closed
     */
    public FastAgiServer(Vertx vertx, String host, int port, AgiAllowlist allowlist, Duration idleTimeout,
                         AgiScripts scripts) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.allowlist = Objects.requireNonNull(allowlist, "allowlist");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.scripts = Objects.requireNonNull(scripts, "scripts");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("agi idle timeout must be positive");
        }
    }

    /** Binds; completes with the bound port. */
    public Future<Integer> start() {
        NetServerOptions opts = new NetServerOptions()
                .setHost(host)
                .setPort(port)
                .setTcpNoDelay(true) // one short command per round trip: never wait for Nagle
                .setAcceptBacklog(4096)
                .setIdleTimeout((int) Math.max(1, idleTimeout.toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        NetServer s = vertx.createNetServer(opts).connectHandler(this::onConnect);
        return s.listen().map(ns -> {
            server = ns;
            LOG.info("FastAGI server listening on {}:{} (scripts {}, allow {})", host, ns.actualPort(),
                    scripts.names(), allowlist.rules());
            return ns.actualPort();
        });
    }

    public Future<Void> stop() {
        NetServer s = server;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }

    /** The bound port once started, else the configured one. */
    public int port() {
        NetServer s = server;
        return s == null ? port : s.actualPort();
    }

    public long accepted() {
        return accepted.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long activeSessions() {
        return active.sum();
    }

    /**
     * Sessions open at once beyond which this server is behind: a decision takes well under a
     * millisecond of work, so even 1,000 calls/s keep a few dozen open; hundreds mean the dialplan is
     * waiting on Huibo, and each open session holds ~10 KB of heap.
     */
    public static final long BACKLOG_LIMIT = 500;

    /** Whether more sessions are open than {@link #BACKLOG_LIMIT}: a signal to start no new calls. */
    public boolean backlogged() {
        return active.sum() > BACKLOG_LIMIT;
    }

    public long protocolErrors() {
        return protocolErrors.sum();
    }

    public long unknownScripts() {
        return unknownScripts.sum();
    }

    public long idleTimeouts() {
        return idleTimeouts.sum();
    }

    private void onConnect(NetSocket socket) {
        SocketAddress remote = socket.remoteAddress();
        String peer = remote == null ? null : remote.hostAddress();
        if (!allowlist.allows(peer)) {
            refused.increment();
            // no AGI line at all: Asterisk sees EOF at once and sets AGISTATUS=FAILURE / continues
            socket.close();
            LOG.warn("FastAGI connection from {} refused: not in agi.allow {}", peer, allowlist.rules());
            return;
        }
        accepted.increment();
        active.increment();
        new Session(socket, Vertx.currentContext(), peer).attach();
    }

    private enum State { ENV, RUNNING, CLOSED }

    /** One connection. Touched only on its event loop (the connection's context). */
    private final class Session implements AgiSession {
        private final NetSocket socket;
        private final Context ctx;
        private final String peer;
        private byte[] line = new byte[256];
        private int lineLen;
        private State state = State.ENV;
        private Map<String, String> env = new HashMap<>(48);
        private AgiRequest request;
        private Promise<AgiReply> pending;
        private StringBuilder usage;
        private int usageLines;
        private boolean hungUp;
        private boolean closedByUs;
        private long lastActivity = System.nanoTime();

        Session(NetSocket socket, Context ctx, String peer) {
            this.socket = socket;
            this.ctx = ctx;
            this.peer = peer;
        }

        void attach() {
            socket.handler(this::onData);
            socket.closeHandler(v -> onClosed());
            socket.exceptionHandler(t -> {
                LOG.debug("FastAGI session from {}: {}", peer, t.toString());
                close();
            });
        }

        private void onData(Buffer buf) {
            lastActivity = System.nanoTime();
            int n = buf.length();
            // after we closed (protocol error, script done) nothing the peer still sends matters,
            // except a HANGUP, which needs no handling either
            for (int i = 0; i < n && state != State.CLOSED && !closedByUs; i++) {
                byte b = buf.getByte(i);
                if (b == '\n') {
                    int len = lineLen;
                    if (len > 0 && line[len - 1] == '\r') {
                        len--;
                    }
                    lineLen = 0;
                    onLine(new String(line, 0, len, StandardCharsets.UTF_8));
                } else {
                    if (lineLen == MAX_LINE) {
                        protocolError("line longer than " + MAX_LINE + " bytes");
                        return;
                    }
                    if (lineLen == line.length) {
                        line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
                    }
                    line[lineLen++] = b;
                }
            }
        }

        private void onLine(String l) {
            if (state == State.ENV) {
                onEnvLine(l);
            } else if (state == State.RUNNING) {
                onReplyLine(l);
            }
        }

        private void onEnvLine(String l) {
            if (l.isEmpty()) {
                envComplete();
                return;
            }
            int colon = l.indexOf(':');
            if (!l.startsWith("agi_") || colon < 0) {
                protocolError("not an agi_ environment line");
                return;
            }
            if (env.size() >= MAX_ENV_LINES) {
                protocolError("environment longer than " + MAX_ENV_LINES + " lines");
                return;
            }
            int v = colon + 1;
            if (v < l.length() && l.charAt(v) == ' ') {
                v++;
            }
            env.putIfAbsent(l.substring(0, colon), l.substring(v));
        }

        private void onReplyLine(String l) {
            if (usage != null) { // inside 520-...520 End of proper usage.
                if (l.startsWith("520 ") || l.equals("520")) {
                    String text = usage.append('\n').append(l.length() > 4 ? l.substring(4) : "").toString();
                    usage = null;
                    complete(new AgiReply(520, 0, null, -1, text));
                } else if (++usageLines > MAX_USAGE_LINES) {
                    protocolError("520 usage block too long");
                } else {
                    usage.append('\n').append(l);
                }
                return;
            }
            if (l.equals("HANGUP")) {
                onHangup();
                return;
            }
            int code = AgiReply.statusCode(l);
            if (code < 0) {
                protocolError("not an AGI reply");
                return;
            }
            if (pending == null) {
                if (hungUp || closedByUs) {
                    return; // the late reply to a command HANGUP already failed
                }
                protocolError("reply without a command");
                return;
            }
            if (code == 520 && l.length() > 3 && l.charAt(3) == '-') {
                usage = new StringBuilder(l.substring(4));
                usageLines = 0;
                return;
            }
            AgiReply r;
            try {
                r = AgiReply.parse(l);
            } catch (IllegalArgumentException e) {
                protocolError(e.getMessage());
                return;
            }
            complete(r);
        }

        private void complete(AgiReply r) {
            Promise<AgiReply> p = pending;
            pending = null;
            if (p != null) {
                p.tryComplete(r);
            }
        }

        private void onHangup() {
            hungUp = true;
            Promise<AgiReply> p = pending;
            pending = null;
            usage = null;
            if (p != null) {
                p.tryFail(new AgiHangupException("Asterisk sent HANGUP: the channel hung up"));
            }
        }

        private void envComplete() {
            state = State.RUNNING;
            request = toRequest(env);
            env = null;
            AgiScript script = scripts.find(request.script());
            if (script == null) {
                unknownScripts.increment();
                LOG.warn("FastAGI from {}: unknown script '{}' (known: {}), closing", peer,
                        AgiCommands.printable(request.script()), scripts.names());
                // a line on the Asterisk console tells the dialplan author why; then close, and the
                // dialplan continues with AGISTATUS=SUCCESS and none of our variables set
                verbose("Huibo: no AGI script named '" + AgiCommands.printable(request.script()) + "'", 1)
                        .onComplete(ar -> close());
                return;
            }
            Future<Void> f;
            try {
                f = script.run(this);
                if (f == null) {
                    f = Future.failedFuture(new IllegalStateException("script returned null"));
                }
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
                if (ar.failed() && !(ar.cause() instanceof AgiException)) {
                    LOG.warn("FastAGI script {} failed for {} ({})", script.name(), request.channel(), peer, ar.cause());
                } else if (ar.failed()) {
                    LOG.debug("FastAGI script {} ended early for {}: {}", script.name(), request.channel(),
                            ar.cause().getMessage());
                }
                close();
            });
        }

        private void protocolError(String why) {
            protocolErrors.increment();
            LOG.warn("FastAGI session from {} closed: {}", peer, why);
            failPending(new AgiException("FastAGI protocol error: " + why));
            close();
        }

        private void failPending(AgiException e) {
            Promise<AgiReply> p = pending;
            pending = null;
            usage = null;
            if (p != null) {
                p.tryFail(e);
            }
        }

        private void onClosed() {
            boolean wasOpen = state != State.CLOSED;
            state = State.CLOSED;
            active.decrement();
            if (wasOpen && !closedByUs) {
                long idle = System.nanoTime() - lastActivity;
                if (idle >= idleTimeout.toNanos() - TimeUnit.MILLISECONDS.toNanos(50)) {
                    idleTimeouts.increment();
                    LOG.warn("FastAGI session from {} closed after {} ms without traffic", peer,
                            idleTimeout.toMillis());
                    failPending(new AgiException("FastAGI session idle for " + idleTimeout.toMillis() + " ms"));
                } else {
                    failPending(new AgiException("FastAGI connection closed by the peer"));
                }
            } else {
                failPending(new AgiException("FastAGI session closed"));
            }
        }

        // ---- AgiSession ----

        @Override
        public AgiRequest request() {
            return request;
        }

        @Override
        public Future<AgiReply> send(String command) {
            if (Vertx.currentContext() != ctx) {
                // keep all state on the session's event loop
                Promise<AgiReply> hop = Promise.promise();
                ctx.runOnContext(v -> send(command).onComplete(hop));
                return hop.future();
            }
            if (state == State.CLOSED || closedByUs) {
                return Future.failedFuture(new AgiException("FastAGI session closed"));
            }
            if (hungUp) {
                return Future.failedFuture(new AgiHangupException("the channel hung up (HANGUP received)"));
            }
            if (pending != null) {
                return Future.failedFuture(new IllegalStateException("an AGI command is still waiting for its reply"));
            }
            if (command == null || command.isEmpty() || command.length() > AgiCommands.MAX_COMMAND_LENGTH
                    || command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
                return Future.failedFuture(new IllegalArgumentException("AGI command empty, too long or holding a line break"));
            }
            Promise<AgiReply> p = Promise.promise();
            pending = p;
            socket.write(command + "\n").onFailure(t -> {
                if (pending == p) {
                    pending = null;
                    p.tryFail(new AgiException("FastAGI write failed: " + t.getMessage()));
                }
            });
            return p.future();
        }

        @Override
        public boolean hungUp() {
            return hungUp;
        }

        @Override
        public boolean isClosed() {
            return state == State.CLOSED || closedByUs;
        }

        @Override
        public Future<Void> close() {
            if (Vertx.currentContext() != ctx) {
                Promise<Void> hop = Promise.promise();
                ctx.runOnContext(v -> close().onComplete(hop));
                return hop.future();
            }
            if (closedByUs || state == State.CLOSED) {
                return Future.succeededFuture();
            }
            closedByUs = true;
            failPending(new AgiException("FastAGI session closed"));
            return socket.close();
        }
    }

    /** Builds the request from the environment; package-private for tests. */
    static AgiRequest toRequest(Map<String, String> env) {
        String full = env.getOrDefault("agi_network_script", "");
        int q = full.indexOf('?');
        String script = q < 0 ? full : full.substring(0, q);
        while (script.startsWith("/")) {
            script = script.substring(1);
        }
        Map<String, String> query = q < 0 ? Map.of() : parseQuery(full.substring(q + 1));
        List<String> args = new ArrayList<>(4);
        for (int i = 1; ; i++) {
            String a = env.get("agi_arg_" + i);
            if (a == null) {
                break;
            }
            args.add(a);
        }
        return new AgiRequest(env, script, query, args);
    }

    static Map<String, String> parseQuery(String qs) {
        if (qs.isEmpty()) {
            return Map.of();
        }
        Map<String, String> m = new HashMap<>(8);
        int start = 0;
        while (start <= qs.length()) {
            int amp = qs.indexOf('&', start);
            int end = amp < 0 ? qs.length() : amp;
            if (end > start) {
                int eq = qs.indexOf('=', start);
                String k;
                String v;
                if (eq < 0 || eq > end) {
                    k = qs.substring(start, end);
                    v = "";
                } else {
                    k = qs.substring(start, eq);
                    v = qs.substring(eq + 1, end);
                }
                m.putIfAbsent(decode(k), decode(v));
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
        return m;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape: keep the raw text, the script validates values anyway
        }
    }
}
