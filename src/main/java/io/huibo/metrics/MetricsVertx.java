package io.huibo.metrics;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/** Vert.x with its HTTP server meters in the instance's registry, and the {@code /metrics} handler. */
public final class MetricsVertx {
    private MetricsVertx() {
    }

    /**
     * A Vert.x that meters its HTTP server only (the FastAGI server is plain Netty and metered by
     * Huibo), labelled by route template, method and status: never the raw path, which holds ids.
     */
    public static Vertx create(Metrics metrics) {
        MicrometerMetricsOptions opts = new MicrometerMetricsOptions().setEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
        for (MetricsDomain d : MetricsDomain.values()) {
            if (d != MetricsDomain.HTTP_SERVER) {
                opts.addDisabledMetricsCategory(d);
            }
        }
        return Vertx.builder().with(new VertxOptions().setMetricsOptions(opts))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry())).build();
    }

    /** {@code GET /metrics}: the Prometheus text format, rendered off the event loop. */
    public static Handler<RoutingContext> endpoint(Metrics metrics) {
        return ctx -> ctx.vertx().executeBlocking(metrics::scrape, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
        });
    }
}
