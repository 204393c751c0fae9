package io.huibo.api;

import io.huibo.health.CachedHealth;
import io.huibo.health.HealthCheck;
import io.huibo.health.HealthProbes;
import io.huibo.service.CallbackService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API: {@code /v1/callbacks} and {@code /health}. See README.md for the contract. */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    /** Metadata is limited to 4 KiB; the rest of a valid body is small. */
    private static final long BODY_LIMIT = 64 * 1024;
    private static final int IDLE_TIMEOUT_SECONDS = 60;
    private static final long CSV_BODY_LIMIT = 32L * 1024 * 1024;
    /** A load balancer's probe interval is seconds; a fresher answer is not worth a MariaDB ping. */
    static final Duration HEALTH_TTL = Duration.ofSeconds(1);
    /** On a submit answered with an active callback of the same number and destination: its id. */
    public static final String DUPLICATE_OF = "Huibo-Duplicate-Of";

    private final Vertx vertx;
    private final CallbackService callbacks;
    private final TokenVerifier tokens;
    private final HealthCheck health;

    private final List<ApiRoutes> extra;
    /** The rule for a request's webhook URL; null: webhooks are off. */
    private final io.huibo.webhooks.WebhookUrls webhooks;
    private final List<ApiRoutes> open;
    /** The toll-fraud guards asked before a callback is stored; null: none. */
    private final io.huibo.guards.Guards guards;
    private final CallingRequests calling;

    /**
     * @param extra further resources under {@code /v1} (routing tables, nodes, ...), mounted after
     *              authentication, so they need no auth of their own
     */
    public HttpApi(Vertx vertx, CallbackService callbacks, TokenVerifier tokens, HealthCheck health,
                   List<ApiRoutes> extra) {
        this(vertx, callbacks, tokens, health, extra, List.of(), null);
    }

    /**
     * @param open     resources without authentication, like {@code /health} ({@code /metrics})
     * @param webhooks the rule for a request's {@code webhook} URL; null: requests may name none
     */
    public HttpApi(Vertx vertx, CallbackService callbacks, TokenVerifier tokens, HealthCheck health,
                   List<ApiRoutes> extra, List<ApiRoutes> open, io.huibo.webhooks.WebhookUrls webhooks) {
        this(vertx, callbacks, tokens, health, extra, open, webhooks, null, null);
    }

    /**
     * @param guards   asked before a callback is stored (422, 429, or 503 when their limits cannot be read)
     * @param profiles the retry profiles a request may name; null: the built-in "default" only
     */
    public HttpApi(Vertx vertx, CallbackService callbacks, TokenVerifier tokens, HealthCheck health,
                   List<ApiRoutes> extra, List<ApiRoutes> open, io.huibo.webhooks.WebhookUrls webhooks,
                   io.huibo.guards.Guards guards, io.huibo.policy.Profiles profiles) {
        this.guards = guards;
        this.calling = new CallingRequests(profiles);
        this.open = List.copyOf(open);
        this.webhooks = webhooks;
        this.vertx = vertx;
        this.callbacks = callbacks;
        this.tokens = tokens;
        // one cache for every event loop's router: clients share one check per HEALTH_TTL
        this.health = new CachedHealth(health, HEALTH_TTL, System::nanoTime);
        this.extra = List.copyOf(extra);
    }

    public Router router() {
        Router router = Router.router(vertx);
        router.get("/health").handler(this::health);
        new HealthProbes(health).mount(router);
        open.forEach(r -> r.mount(router));
        // authentication first: nobody without a key makes Huibo read (and buffer) a body; the request
        // stays paused while the key is checked, so no byte of the body is lost meanwhile
        router.route("/v1/*").handler(this::authenticate);
        BodyHandler large = BodyHandler.create(false).setBodyLimit(CSV_BODY_LIMIT);
        BodyHandler small = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
        router.route("/v1/*").handler(ctx -> (bodyLimit(ctx.request().path()) == CSV_BODY_LIMIT ? large : small)
                .handle(ctx));
        router.post("/v1/callbacks").handler(this::submit);
        router.get("/v1/callbacks/:id").handler(this::get);
        router.delete("/v1/callbacks/:id").handler(this::cancel);
        extra.forEach(r -> r.mount(router));
        // no /v1 route without an entry in the scope table: refuse to start instead
        io.huibo.auth.RouteScopes.verify(router);
        router.route().last().handler(ctx -> Problems.send(ctx, 404, "Not found", "no such resource", null));
        router.route().failureHandler(this::failure);
        return router;
    }

    /**
     * Listens on {@code instances} event loops: Vert.x spreads connections to one port across the
     * servers of several verticles, so accepting callbacks uses every core, not one.
     *
     * @param tls when enabled, HTTPS only on {@code port}: a plain HTTP request gets no answer
     */
    public Future<String> listen(String host, int port, int instances, io.huibo.config.HuiboConfig.ServerTls tls) {
        // an idle or stalled client does not hold a connection forever
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                .setIdleTimeout(IDLE_TIMEOUT_SECONDS).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxHeaderSize(16 * 1024).setMaxInitialLineLength(4096);
        if (tls.enabled()) {
            // the files were checked when the configuration was read; Vert.x reads them again per server
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile())
                    .setKeyPath(tls.keyFile()));
        }
        return vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                return vertx.createHttpServer(options).requestHandler(router()).listen();
            }
        }, new DeploymentOptions().setInstances(Math.max(1, instances)));
    }

    private void authenticate(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
            unauthorized(ctx);
            return;
        }
        ctx.request().pause();
        tokens.verify(h.substring(7).trim()).onComplete(ar -> {
            if (ar.succeeded() && ar.result() != null) {
                String path = ctx.normalizedPath();
                if (path.length() > 1 && path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
                var needed = io.huibo.auth.RouteScopes.required(ctx.request().method(), path);
                if (needed.isEmpty()) {
                    // every route has an entry (checked at start): whatever matches none is served by none
                    Problems.send(ctx, 404, "Not found", "no such resource", null);
                    ctx.request().resume();
                    return;
                }
                if (!ar.result().may(needed.get())) {
                    forbidden(ctx, needed.get());
                    return;
                }
                ctx.put(PRINCIPAL, ar.result());
                ctx.next();
                // after the body handler took the request: what arrived meanwhile reaches it
                ctx.request().resume();
            } else {
                unauthorized(ctx);
            }
        });
    }

    /** The key of the request, put in the context by the authentication. */
    public static final String PRINCIPAL = "huibo.principal";

    /**
     * The webhook of the key that made this request, for the callbacks it submits that name none
     * (checked again at each delivery); null when it has none or webhooks are off.
     */
    static String keyWebhook(RoutingContext ctx, boolean webhooksOn) {
        io.huibo.auth.Principal key = ctx.get(PRINCIPAL);
        return webhooksOn && key != null ? key.webhook() : null;
    }

    private static void forbidden(RoutingContext ctx, io.huibo.auth.Scope needed) {
        if (!ctx.request().isEnded()) {
            ctx.response().putHeader("Connection", "close");
            ctx.request().handler(null).resume();
        }
        Problems.send(ctx, 403, "Forbidden", "this key lacks the scope '" + needed.id() + "'", null);
    }

    private static void unauthorized(RoutingContext ctx) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        if (!ctx.request().isEnded()) {
            // the body is discarded unread (no handler keeps it), so the client can finish sending
            // and read the answer; the connection cannot carry another request after it
            ctx.response().putHeader("Connection", "close");
            ctx.request().handler(null).resume();
        }
        Problems.send(ctx, 401, "Unauthorized", "a valid 'Authorization: Bearer <token>' header is required", null);
    }

    private void submit(RoutingContext ctx) {
        var req = calling.resolve(CallbackRequestParser.parse(ctx.body().buffer(),
                ctx.request().getHeader("Idempotency-Key"), webhooks), ctx);
        String keyWebhook = keyWebhook(ctx, webhooks != null);
        if (req.webhook() == null && keyWebhook != null) {
            req = req.withWebhook(keyWebhook);
        }
        var checked = req;
        GuardCheck.check(guards, req, ctx.get(PRINCIPAL)).onComplete(g -> {
            if (g.failed()) {
                log.warn("toll-fraud limits unavailable: {}", g.cause().toString());
                GuardCheck.unavailable(ctx);
            } else if (g.result().isPresent()) {
                GuardCheck.send(ctx, g.result().get());
            } else {
                store(ctx, checked);
            }
        });
    }

    private void store(RoutingContext ctx, io.huibo.service.NewCallback req) {
        callbacks.submit(req).onComplete(ar -> {
            io.huibo.contacts.DoNotCallException dnc = io.huibo.contacts.DoNotCallException.in(ar.cause());
            if (dnc != null) {
                Problems.send(ctx, 422, "Do not call", dnc.getMessage(), "number");
                return;
            }
            if (ar.failed()) {
                log.error("could not accept a callback", ar.cause());
                Problems.send(ctx, 503, "Service unavailable",
                        "the callback could not be stored; retry with the same Idempotency-Key", null);
                return;
            }
            var cb = ar.result().callback();
            if (ar.result().duplicate()) {
                // deduplication: the active callback of this number and destination, not a new one
                ctx.response().putHeader(DUPLICATE_OF, cb.id());
            }
            ctx.response().setStatusCode(ar.result().repeat() ? 200 : 202)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Location", "/v1/callbacks/" + cb.id())
                    .end(CallbackJson.accepted(cb).encode());
        });
    }

    private void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        callbacks.get(id).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                Problems.send(ctx, 404, "Not found", "no callback with id '" + id + "'", null);
            } else {
                ctx.response().putHeader("Content-Type", "application/json")
                        .end(CallbackJson.full(ar.result().get()).encode());
            }
        });
    }

    private void cancel(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        callbacks.cancel(id).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            switch (ar.result()) {
                case CANCELLED -> ctx.response().putHeader("Content-Type", "application/json")
                        .end(new io.vertx.core.json.JsonObject().put("id", id).put("state", "cancelled").encode());
                case NOT_FOUND -> Problems.send(ctx, 404, "Not found", "no callback with id '" + id + "'", null);
                case TOO_LATE -> Problems.send(ctx, 409, "Conflict",
                        "the callback is being dialed or has ended; it can no longer be cancelled", null);
            }
        });
    }

    private void health(RoutingContext ctx) {
        health.check().onComplete(ar -> {
            if (ar.failed()) {
                Problems.send(ctx, 503, "Unhealthy", String.valueOf(ar.cause().getMessage()), null);
                return;
            }
            ctx.response().setStatusCode(ar.result().healthy() ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .end(ar.result().body().encode());
        });
    }

    /** Routing tables, bulk submits and do-not-call imports come as CSV and may be large; every other body is small. */
    static long bodyLimit(String path) {
        return path.startsWith("/v1/routing/") || path.equals("/v1/callbacks/bulk") || path.equals("/v1/dnc/import")
                ? CSV_BODY_LIMIT : BODY_LIMIT;
    }

    private void failure(RoutingContext ctx) {
        Throwable t = ctx.failure();
        if (t instanceof InvalidRequestException e) {
            Problems.invalid(ctx, e);
        } else if (ctx.statusCode() == 413) {
            long limit = bodyLimit(ctx.request().path());
            Problems.send(ctx, 413, "Payload too large", "the request body is over " + limit + " bytes", null);
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            Problems.send(ctx, ctx.statusCode(), "Bad request", "the request could not be read", null);
        } else if (Problems.storeDown(t)) {
            log.warn("request {} {}: {}", ctx.request().method(), ctx.request().path(), String.valueOf(t));
            Problems.storeDown(ctx);
        } else {
            log.error("request {} {} failed", ctx.request().method(), ctx.request().path(), t);
            Problems.send(ctx, 500, "Internal error", "the request failed; see the server log", null);
        }
    }
}
