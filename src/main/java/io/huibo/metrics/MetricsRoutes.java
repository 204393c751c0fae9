package io.huibo.metrics;

import io.huibo.api.ApiRoutes;
import io.vertx.ext.web.Router;

/** {@code GET /metrics}: the Prometheus scrape, without authentication (mounted among the open routes). */
public final class MetricsRoutes implements ApiRoutes {
    private final Metrics metrics;

    public MetricsRoutes(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void mount(Router router) {
        router.get("/metrics").handler(MetricsVertx.endpoint(metrics));
    }
}
