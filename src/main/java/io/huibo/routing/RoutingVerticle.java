package io.huibo.routing;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Objects;

/** Loads the routing tables on start (the start waits for them) and follows their version until stopped. */
public final class RoutingVerticle extends VerticleBase {
    private final RoutingService routing;

    public RoutingVerticle(RoutingService routing) {
        this.routing = Objects.requireNonNull(routing, "routing");
    }

    @Override
    public Future<?> start() {
        return routing.start(vertx);
    }

    @Override
    public Future<?> stop() {
        routing.stop(vertx);
        return Future.succeededFuture();
    }
}
