package io.huibo.api;

import io.huibo.routing.RoutingCsv;
import io.huibo.routing.RoutingCsv.CsvException;
import io.huibo.routing.RoutingCsv.Kind;
import io.huibo.routing.RoutingService;
import io.huibo.routing.Trunk;
import io.huibo.store.RoutingStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing tables as CSV: {@code GET /v1/routing/<kind>.csv} exports one, {@code PUT} replaces it
 * whole (every row checked first; a bad one is a 400 naming its line and column, and nothing
 * changes), for kind trunks, routes, rates and tables. {@code GET /v1/routing/status} shows the
 * version in use and the failures reported per trunk.
 */
public final class RoutingApi implements ApiRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingApi.class);
    public static final String CSV = "text/csv; charset=utf-8";

    private final RoutingStore store;
    private final RoutingService routing;

    public RoutingApi(RoutingStore store, RoutingService routing) {
        this.store = Objects.requireNonNull(store, "store");
        this.routing = Objects.requireNonNull(routing, "routing");
    }

    @Override
    public void mount(Router router) {
        for (Kind kind : Kind.values()) {
            String path = "/v1/routing/" + kind.wire() + ".csv";
            router.get(path).handler(ctx -> export(ctx, kind));
            router.put(path).handler(ctx -> replace(ctx, kind));
        }
        router.get("/v1/routing/status").handler(this::status);
    }

    private void export(RoutingContext ctx, Kind kind) {
        store.load().onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("routing export of {} failed", kind.wire(), ar.cause());
                Problems.send(ctx, 503, "Service unavailable", "the routing tables could not be read", null);
                return;
            }
            ctx.response().putHeader("Content-Type", CSV)
                    .putHeader("Content-Disposition", "attachment; filename=\"" + kind.wire() + ".csv\"")
                    .end(RoutingCsv.format(kind, ar.result()));
        });
    }

    private void replace(RoutingContext ctx, Kind kind) {
        String text = ctx.body() == null ? null : ctx.body().asString("UTF-8");
        RoutingCsv.Rows<?> rows;
        Future<Long> saved;
        try {
            switch (kind) {
                case TRUNKS -> {
                    var r = RoutingCsv.trunks(text);
                    allowed(r);
                    rows = r;
                    saved = store.replaceTrunks(r.rows());
                }
                case ROUTES -> {
                    var r = RoutingCsv.routes(text);
                    rows = r;
                    saved = store.replaceRoutes(r.rows());
                }
                case RATES -> {
                    var r = RoutingCsv.rates(text);
                    rows = r;
                    saved = store.replaceRates(r.rows());
                }
                default -> {
                    var r = RoutingCsv.tables(text);
                    rows = r;
                    saved = store.replaceTables(r.rows());
                }
            }
        } catch (CsvException e) {
            Problems.send(ctx, 400, "Invalid CSV", e.getMessage(), e.column());
            return;
        }
        RoutingCsv.Rows<?> imported = rows;
        saved.onComplete(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof RoutingStore.ReferenceException e) {
                    refused(ctx, kind, imported.lines(), e);
                    return;
                }
                LOG.error("routing import of {} failed", kind.wire(), ar.cause());
                Problems.send(ctx, 503, "Service unavailable", "the routing tables could not be stored; "
                        + "nothing was changed", null);
                return;
            }
            long version = ar.result();
            // this instance follows at once; the others within their reload interval
            routing.reloadNow().onComplete(reload -> {
                if (reload.failed()) {
                    LOG.warn("routing: reload after import failed, the poll will retry: {}", reload.cause().toString());
                }
                ctx.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("kind", kind.wire()).put("rows", imported.rows().size())
                                .put("version", version).encode());
            });
        });
    }

    /** Every trunk's template against the allowlist (config trunkPolicy), before anything is stored. */
    private void allowed(RoutingCsv.Rows<Trunk> trunks) {
        for (int i = 0; i < trunks.rows().size(); i++) {
            Trunk t = trunks.rows().get(i);
            try {
                routing.allowlist().check(t.dial());
            } catch (IllegalArgumentException e) {
                throw new CsvException(trunks.lines().get(i), "dial", "dial template " + t.dial() + ": "
                        + e.getMessage());
            }
        }
    }

    private static void refused(RoutingContext ctx, Kind kind, List<Integer> lines, RoutingStore.ReferenceException e) {
        if (e.index() >= 0 && e.index() < lines.size()) {
            CsvException named = new CsvException(lines.get(e.index()), "trunk", e.getMessage());
            Problems.send(ctx, 400, "Invalid CSV", named.getMessage(), named.column());
        } else {
            Problems.send(ctx, 409, "Conflict", e.getMessage(), kind == Kind.TRUNKS ? "id" : null);
        }
    }

    private void status(RoutingContext ctx) {
        JsonObject failures = new JsonObject();
        routing.failures().forEach((trunk, byStatus) -> {
            JsonObject m = new JsonObject();
            byStatus.forEach(m::put);
            failures.put(trunk, m);
        });
        ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("version", routing.version())
                        .put("staticRoutes", routing.usingStaticRoutes())
                        .put("failures", failures).encode());
    }
}
