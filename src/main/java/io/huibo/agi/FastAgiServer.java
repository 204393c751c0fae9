package io.huibo.agi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import java.net.InetSocketAddress;
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
 * A FastAGI server on Vert.x's event loops: every session is a small state object driven by its
 * event loop, never a thread (asterisk-java's DefaultAgiServer is thread-per-call and gives up
 * beyond 500 concurrent sessions).
 *
 * <p>Why a Netty pipeline of our own rather than a Vert.x {@code NetServer}: a session lives for the
 * few round trips of one AGI() call, and a Vert.x {@code NetSocket} brings per connection its own
 * message queues (a 4 KB array each) and close machinery. With a thousand sessions open those were
 * most of what every young collection had to copy (GC threads ~28% of Huibo's CPU in the FastAGI
 * benchmark). The channels are served by Vert.x's own event loops, and every event runs on a Vert.x
 * event-loop context of that loop, so the scripts see an ordinary Vert.x context.
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
    /**
     * Set as a session's last command once its script completed; [huibo-agi] in dialplan/huibo.conf asks
     * the next instance when it is missing.
     */
    public static final String COMPLETED_VARIABLE = "HUIBO_AGI_OK";


    private static final Logger LOG = LoggerFactory.getLogger(FastAgiServer.class);

    /** Longest line accepted, line end excluded (Asterisk's own buffer is 8 KiB). */
    public static final int MAX_LINE = 8192;
    /** The environment is ~25 lines plus at most 127 arguments (res_agi MAX_ARGS 128). */
    static final int MAX_ENV_LINES = 256;
    /** Usage text of a 520 block is a few dozen lines. */
    static final int MAX_USAGE_LINES = 200;

    private final String host;
    private final int port;
    /** Replaced when the node list is reloaded: a node added at run time must reach its routes. */
    private volatile AgiAllowlist allowlist;
    private final Duration idleTimeout;
    private final AgiScripts scripts;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder unknownScripts = new LongAdder();
    private final LongAdder idleTimeouts = new LongAdder();

    private final VertxInternal vx;
    /**
     * The event-loop context every session runs on. One loop, as a Vert.x NetServer started outside a
     * verticle has: a decision is a few microseconds of work, so one loop carries thousands of
     * sessions/s, sees many of them per wakeup, and the store's coalesced lookups come back in one hop.
     * Spread over all loops, the FastAGI benchmark cost 674 instead of 376 us of CPU per decision
     * (more wakeups and hops on two cores).
     */
    private volatile ContextInternal sessionContext;
    private final ChannelGroup sessions = new DefaultChannelGroup("huibo-agi", ImmediateEventExecutor.INSTANCE);
    private volatile Channel server;

    /**
     * @param host        address to bind ({@code 0.0.0.0} for all)
     * @param port        0 for an ephemeral port (see {@link #port()})
     * @param idleTimeout a session with no traffic for this long is closed
     */
    public FastAgiServer(Vertx vertx, String host, int port, AgiAllowlist allowlist, Duration idleTimeout,
                         AgiScripts scripts) {
        this.vx = (VertxInternal) Objects.requireNonNull(vertx, "vertx");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.allowlist = Objects.requireNonNull(allowlist, "allowlist");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.scripts = Objects.requireNonNull(scripts, "scripts");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("agi idle timeout must be positive");
        }
    }

    /**
     * Replaces the allowlist (after a node reload); sessions already open stay, new connections are
     * checked against the new rules.
     */
    public void allow(AgiAllowlist next) {
        AgiAllowlist before = allowlist;
        allowlist = Objects.requireNonNull(next, "allowlist");
        if (!before.rules().equals(next.rules())) {
            LOG.info("FastAGI allowlist now {} (was {})", next.rules(), before.rules());
        }
    }

    /** Binds; completes with the bound port. */
    public Future<Integer> start() {
        long idleMillis = Math.max(1, idleTimeout.toMillis());
        ContextInternal caller = vx.getOrCreateContext();
        EventLoop loop = caller.nettyEventLoop();
        sessionContext = vx.contextBuilder().withThreadingModel(ThreadingModel.EVENT_LOOP).withEventLoop(loop).build();
        ServerBootstrap b = new ServerBootstrap()
                .group(vx.acceptorEventLoopGroup(), loop)
                .channelFactory(vx.transport().serverChannelFactory(false))
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true) // one short command per round trip: never wait for Nagle
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        onConnect(ch, idleMillis);
                    }
                });
        PromiseInternal<Integer> bound = caller.promise();
        ChannelFuture binding = b.bind(host, port);
        binding.addListener(f -> {
            if (!f.isSuccess()) {
                bound.fail(f.cause());
                return;
            }
            server = binding.channel();
            int actual = port();
            LOG.info("FastAGI server listening on {}:{} (scripts {}, allow {})", host, actual, scripts.names(),
                    allowlist.rules());
            bound.complete(actual);
        });
        return bound.future();
    }

    /** Stops listening and closes the open sessions. */
    public Future<Void> stop() {
        Channel s = server;
        server = null;
        if (s == null) {
            return Future.succeededFuture();
        }
        PromiseInternal<Void> closed = vx.getOrCreateContext().promise();
        s.close().addListener(f -> sessions.close().addListener(g -> closed.complete()));
        return closed.future();
    }

    /** The bound port once started, else the configured one. */
    public int port() {
        Channel s = server;
        return s == null ? port : ((InetSocketAddress) s.localAddress()).getPort();
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

    /** On the channel's event loop, before it is registered for reads. */
    private void onConnect(Channel ch, long idleMillis) {
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        String peer = remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
        AgiAllowlist rules = allowlist;
        if (!rules.allows(peer)) {
            refused.increment();
            // no AGI line at all: Asterisk sees EOF at once and sets AGISTATUS=FAILURE / continues
            ch.close();
            LOG.warn("FastAGI connection from {} refused: not in agi.allow {}", peer, rules.rules());
            return;
        }
        accepted.increment();
        active.increment();
        sessions.add(ch);
        ContextInternal ctx = sessionContext;
        // a silent peer is closed after the idle timeout: Netty's handler, no timer per command
        ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                new Session(ch, ctx, peer));
    }

    private enum State { ENV, RUNNING, CLOSED }

    /** One connection. Touched only on its event loop, always on that loop's Vert.x context. */
    private final class Session extends ChannelInboundHandlerAdapter implements AgiSession {
        private final Channel channel;
        private final ContextInternal ctx;
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
        /** A protocol error ends the session: nothing more is sent, not even the completion mark. */
        private boolean broken;
        private boolean closedByUs;
        private long lastActivity = System.nanoTime();

        Session(Channel channel, ContextInternal ctx, String peer) {
            this.channel = channel;
            this.ctx = ctx;
            this.peer = peer;
        }

        // ---- Netty events, each handed to the session on its Vert.x context ----

        @Override
        public void channelRead(ChannelHandlerContext chc, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                ctx.emit(buf, this::onData);
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext chc) {
            ctx.emit(this, s -> onClosed());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext chc, Throwable t) {
            ctx.emit(t, e -> {
                LOG.debug("FastAGI session from {}: {}", peer, e.toString());
                close();
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext chc, Object evt) {
            if (evt instanceof IdleStateEvent) {
                // closed as by the peer: onClosed sees the silence and counts an idle timeout
                channel.close();
            }
        }

        private void onData(ByteBuf buf) {
            lastActivity = System.nanoTime();
            int n = buf.writerIndex();
            // after we closed (protocol error, script done) nothing the peer still sends matters,
            // except a HANGUP, which needs no handling either
            for (int i = buf.readerIndex(); i < n && state != State.CLOSED && !closedByUs; i++) {
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
                if (ar.failed() || broken || hungUp) {
                    close();
                    return;
                }
                // Asterisk reports a session the server closed half-way (an instance killed mid-script) as
                // AGISTATUS=SUCCESS too: only this last command tells the dialplan the script ran to its end
                setVariable(COMPLETED_VARIABLE, "1").onComplete(x -> close());
            });
        }

        private void protocolError(String why) {
            protocolErrors.increment();
            broken = true;
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
            // a failed write reaches exceptionCaught, which closes the session and fails the command
            channel.writeAndFlush(ByteBufUtil.writeUtf8(channel.alloc(), command + "\n"), channel.voidPromise());
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
            PromiseInternal<Void> closed = ctx.promise();
            channel.close().addListener(closed);
            return closed.future();
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
