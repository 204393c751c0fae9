package io.huibo.api;

import io.huibo.auth.Principal;
import io.huibo.domain.PhoneNumber;
import io.huibo.store.DoNotCallStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The do-not-call list (scope {@code operate}):
 * <ul>
 * <li>{@code GET /v1/dnc?limit=&after=}: entries by number, a page at a time ({@code next} is the
 *     {@code after} of the next page, null on the last)</li>
 * <li>{@code PUT /v1/dnc/{number}} {@code {"reason"?}}: 201 added / 200 reason replaced, with the entry</li>
 * <li>{@code DELETE /v1/dnc/{number}}: 204 / 404</li>
 * <li>{@code POST /v1/dnc/import} (text/csv, lines {@code number[,reason]}): 200 {@code {added, updated}};
 *     all or nothing</li>
 * </ul>
 */
public final class DoNotCallApi implements ApiRoutes {

    static final int DEFAULT_LIMIT = 100;
    private static final String JSON = "application/json";

    private final DoNotCallStore store;
    private final Clock clock;

    public DoNotCallApi(DoNotCallStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/dnc").handler(this::list);
        router.post("/v1/dnc/import").handler(this::importCsv);
        router.put("/v1/dnc/:number").handler(this::put);
        router.delete("/v1/dnc/:number").handler(this::remove);
    }

    private void list(RoutingContext ctx) {
        int limit;
        String after;
        try {
            for (String name : ctx.queryParams().names()) {
                if (!name.equals("limit") && !name.equals("after")) {
                    throw new InvalidRequestException(name, "unknown parameter '" + name + "'");
                }
            }
            String l = ctx.queryParams().get("limit");
            limit = l == null ? DEFAULT_LIMIT : limit(l);
            after = ctx.queryParams().get("after");
            if (after != null && !PhoneNumber.isValid(after)) {
                throw new InvalidRequestException("after", "after must be a number (the 'next' of the previous page)");
            }
        } catch (InvalidRequestException e) {
            Problems.invalid(ctx, e);
            return;
        }
        store.list(after, limit).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            List<DoNotCallStore.Entry> page = ar.result();
            JsonArray a = new JsonArray();
            page.forEach(e -> a.add(json(e)));
            String next = page.size() == limit ? page.get(page.size() - 1).number().value() : null;
            ctx.response().putHeader("Content-Type", JSON)
                    .end(new JsonObject().put("entries", a).put("next", next).encode());
        });
    }

    private static int limit(String l) {
        try {
            int n = Integer.parseInt(l);
            if (n >= 1 && n <= DoNotCallStore.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new InvalidRequestException("limit", "limit must be 1.." + DoNotCallStore.MAX_LIMIT);
    }

    private void put(RoutingContext ctx) {
        PhoneNumber number;
        String reason;
        try {
            number = RequestParts.number(ctx, "the number");
            JsonObject body = RequestParts.optionalObject(ctx);
            for (String f : body.fieldNames()) {
                if (!f.equals("reason")) {
                    throw new InvalidRequestException(f, "unknown field '" + f + "'");
                }
            }
            Object r = body.getValue("reason");
            if (r != null && !(r instanceof String)) {
                throw new InvalidRequestException("reason", "reason must be a string");
            }
            reason = DoNotCallCsv.reason((String) r, "reason");
        } catch (InvalidRequestException e) {
            Problems.invalid(ctx, e);
            return;
        }
        Instant now = clock.instant();
        store.put(number, reason, keyId(ctx), now).compose(added -> store.find(number).map(e -> {
            ctx.response().setStatusCode(added ? 201 : 200).putHeader("Content-Type", JSON)
                    .end(json(e.orElseThrow()).encode());
            return null;
        })).onFailure(ctx::fail);
    }

    private void remove(RoutingContext ctx) {
        PhoneNumber number;
        try {
            number = RequestParts.number(ctx, "the number");
        } catch (InvalidRequestException e) {
            Problems.invalid(ctx, e);
            return;
        }
        store.remove(number).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (!ar.result()) {
                Problems.send(ctx, 404, "Not found", "the number " + number.value() + " is not on the do-not-call list", null);
            } else {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    private void importCsv(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase();
        if (!mime.equals("text/csv")) {
            Problems.send(ctx, 415, "Unsupported media type", "send CSV (text/csv): lines number[,reason]", "Content-Type");
            return;
        }
        Instant now = clock.instant();
        String by = keyId(ctx);
        String text = ctx.body().buffer() == null ? "" : ctx.body().buffer().toString(StandardCharsets.UTF_8);
        // a list may have many thousand lines: read them on a worker, not on the event loop
        ctx.vertx().executeBlocking(() -> DoNotCallCsv.parse(text).stream()
                        .map(r -> new DoNotCallStore.Entry(r.number(), r.reason(), now, by)).toList(), false)
                .compose(store::importAll)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        // a bad line is the request's fault (400, nothing stored); anything else the failure handler's
                        ctx.fail(ar.cause());
                        return;
                    }
                    ctx.response().putHeader("Content-Type", JSON).end(new JsonObject()
                            .put("added", ar.result().added()).put("updated", ar.result().updated()).encode());
                });
    }

    static JsonObject json(DoNotCallStore.Entry e) {
        return new JsonObject()
                .put("number", e.number().value())
                .put("reason", e.reason())
                .put("addedAt", e.addedAt() == null ? null : e.addedAt().toString())
                .put("addedBy", e.addedBy());
    }

    private static String keyId(RoutingContext ctx) {
        Principal p = ctx.get(HttpApi.PRINCIPAL);
        return p == null ? null : p.keyId();
    }
}
