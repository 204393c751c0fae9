package io.huibo.health;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;

/**
 * The two probes a load balancer or an orchestrator asks, next to the detailed {@code /health}:
 * {@code /health/live} is 200 while the process serves HTTP at all (restart it otherwise), and
 * {@code /health/ready} is 200 only while Redis and MariaDB answer and a node can dial (route traffic
 * here otherwise not), else 503 with the same detail as {@code /health}. No authentication.
 */
public final class HealthProbes {
    private final HealthCheck health;

    /** {@code health} should be cached (see {@link CachedHealth}): the probes need no auth. */
    public HealthProbes(HealthCheck health) {
        this.health = Objects.requireNonNull(health, "health");
    }

    public void mount(Router router) {
        router.get("/health/live").handler(this::live);
        router.get("/health/ready").handler(this::ready);
    }

    private void live(RoutingContext ctx) {
        send(ctx, 200, new JsonObject().put("status", "live"));
    }

    private void ready(RoutingContext ctx) {
        health.check().onComplete(ar -> {
            if (ar.failed()) {
                send(ctx, 503, new JsonObject().put("status", "not ready")
                        .put("detail", String.valueOf(ar.cause().getMessage())));
            } else if (ar.result().healthy()) {
                send(ctx, 200, ar.result().body().copy().put("status", "ready"));
            } else {
                send(ctx, 503, ar.result().body().copy().put("status", "not ready"));
            }
        });
    }

    private static void send(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(body.encode());
    }
}
