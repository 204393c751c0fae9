package io.huibo.agi;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Objects;

/** The FastAGI server as a service: listens on start, closes its sessions on stop. */
public final class FastAgiVerticle extends VerticleBase {
    private final FastAgiServer server;

    public FastAgiVerticle(FastAgiServer server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    @Override
    public Future<?> start() {
        return server.start();
    }

    @Override
    public Future<?> stop() {
        return server.stop();
    }
}
