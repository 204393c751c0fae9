package io.huibo.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports for the processes the benchmarks (and the end-to-end tests) start. */
public final class LocalPorts {
    private LocalPorts() {
    }

    /** A port free right now (the kernel's choice). */
    public static int any() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** The first of {@code n} consecutive free ports: simulated nodes listen on P, P+1, ... */
    public static int run(int n) {
        for (int tries = 0; tries < 200; tries++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 40000);
            boolean ok = true;
            for (int i = 0; i < n && ok; i++) {
                try (ServerSocket s = new ServerSocket(base + i)) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    ok = false;
                }
            }
            if (ok) {
                return base;
            }
        }
        throw new IllegalStateException("no run of " + n + " free ports");
    }
}
