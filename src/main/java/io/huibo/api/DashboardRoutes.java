package io.huibo.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard: {@code GET /} is the page, {@code /dashboard/*} its script and style, all from the jar
 * ({@code io/huibo/dashboard/}). Open like {@code /health}: the page holds no data; it asks for an API
 * key and sends it with every {@code /v1} call it makes. The page loads nothing from anywhere else, and
 * its Content-Security-Policy lets it load nothing from anywhere else.
 */
public final class DashboardRoutes implements ApiRoutes {
    static final String ROOT = "io/huibo/dashboard";
    /** Only this origin's files; no inline script, no frames (a page that holds a key is not framed). */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @Override
    public void mount(Router router) {
        // revalidated on every load, so an upgraded Huibo serves its own page at once
        StaticHandler files = StaticHandler.create(ROOT).setCachingEnabled(false).setDirectoryListing(false)
                .setIncludeHidden(false).setIndexPage("index.html");
        router.get("/").handler(DashboardRoutes::headers).handler(files);
        router.get("/dashboard/*").handler(DashboardRoutes::headers).handler(files);
    }

    private static void headers(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-cache");
        ctx.next();
    }
}
