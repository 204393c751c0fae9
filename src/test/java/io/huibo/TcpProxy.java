package io.huibo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on loopback for tests that break the network between Huibo and a real service (MariaDB,
 * Redis, an AMI port) on purpose: {@link #cut()} drops every open connection and refuses new ones until
 * {@link #restore()}; {@link #stall()} keeps connections open but stops forwarding bytes (a silent peer)
 * until {@link #restore()}. Plain threads, two per connection: tests open few.
 */
public final class TcpProxy implements AutoCloseable {

    private enum Mode { OPEN, CUT, STALLED }

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object stallLock = new Object();
    private volatile Mode mode = Mode.OPEN;

    /** Listens on a free loopback port and forwards to {@code host:port}. */
    public TcpProxy(String host, int port) {
        this.target = new InetSocketAddress(host, port);
        try {
            this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::acceptLoop, "tcp-proxy-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    /** The port clients connect to instead of the target's. */
    public int port() {
        return server.getLocalPort();
    }

    /** Drops every open connection (RST) and refuses new ones until {@link #restore()}. */
    public void cut() {
        mode = Mode.CUT;
        for (Socket s : sockets) {
            abort(s);
        }
        sockets.clear();
    }

    /** Stops forwarding in both directions; connections stay open, as to a peer that hangs. */
    public void stall() {
        mode = Mode.STALLED;
    }

    /** Forwards again; connections stalled meanwhile resume, cut ones stay closed. */
    public void restore() {
        mode = Mode.OPEN;
        synchronized (stallLock) {
            stallLock.notifyAll();
        }
    }

    public boolean isCut() {
        return mode == Mode.CUT;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            cut();
            restore();
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (mode == Mode.CUT) {
                abort(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 3000);
            } catch (IOException e) {
                abort(client);
                abort(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    waitWhileStalled();
                    if (mode == Mode.CUT) {
                        break;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException ignored) {
                // the other side went away, or the proxy cut the connection
            } finally {
                abort(from);
                abort(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void waitWhileStalled() throws InterruptedException {
        synchronized (stallLock) {
            while (mode == Mode.STALLED) {
                stallLock.wait(100);
            }
        }
    }

    /** Closes with RST rather than FIN, as a broken network path looks to the peers. */
    private static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
