package io.huibo.api;

import io.huibo.domain.PhoneNumber;
import io.huibo.service.DialinPins;
import io.huibo.service.DialinService;
import io.huibo.store.DialinStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.Set;

/**
 * The callers allowed to use the dial-in hook:
 * <ul>
 * <li>{@code PUT /v1/dialin/callers/{number}} {@code {"pin"?, "destination"?, "collectNow"?, "enabled"?}}:
 *     adds or replaces the caller (a field left out is its default: no PIN, no destination, false, true);
 *     200 with the caller</li>
 * <li>{@code GET /v1/dialin/callers/{number}}, {@code GET /v1/dialin/callers}: 200 / 404</li>
 * <li>{@code DELETE /v1/dialin/callers/{number}}: 204 / 404</li>
 * </ul>
 * A caller shows {@code hasPin}, never the PIN or its hash.
 */
public final class DialinApi implements ApiRoutes {

    private static final Set<String> FIELDS = Set.of("pin", "destination", "collectNow", "enabled");
    private static final String JSON = "application/json";

    private final DialinService dialin;

    public DialinApi(DialinService dialin) {
        this.dialin = Objects.requireNonNull(dialin, "dialin");
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/dialin/callers").handler(this::list);
        router.put("/v1/dialin/callers/:number").handler(this::put);
        router.get("/v1/dialin/callers/:number").handler(this::get);
        router.delete("/v1/dialin/callers/:number").handler(this::remove);
    }

    private void put(RoutingContext ctx) {
        PhoneNumber number;
        String pin;
        PhoneNumber destination;
        boolean collectNow;
        boolean enabled;
        try {
            number = RequestParts.number(ctx, "the caller number");
            JsonObject body = RequestParts.optionalObject(ctx);
            for (String f : body.fieldNames()) {
                if (!FIELDS.contains(f)) {
                    throw new InvalidRequestException(f, "unknown field '" + f + "'");
                }
            }
            pin = string(body, "pin");
            if (pin != null && !DialinPins.isValid(pin)) {
                throw new InvalidRequestException("pin", "pin must be 4 to 8 digits");
            }
            String dest = string(body, "destination");
            if (dest != null && !PhoneNumber.isValid(dest)) {
                throw new InvalidRequestException("destination", "destination must be digits with an optional leading +");
            }
            destination = dest == null ? null : PhoneNumber.of(dest);
            collectNow = bool(body, "collectNow", false);
            enabled = bool(body, "enabled", true);
            if (collectNow && destination != null) {
                throw new InvalidRequestException("collectNow", "collectNow needs a caller without a stored destination");
            }
        } catch (InvalidRequestException e) {
            Problems.invalid(ctx, e);
            return;
        }
        dialin.put(number, pin, destination, collectNow, enabled).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else {
                ctx.response().putHeader("Content-Type", JSON).end(json(ar.result()).encode());
            }
        });
    }

    private void get(RoutingContext ctx) {
        PhoneNumber number = pathNumber(ctx);
        if (number == null) {
            return;
        }
        dialin.find(number).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                notFound(ctx, number);
            } else {
                ctx.response().putHeader("Content-Type", JSON).end(json(ar.result().get()).encode());
            }
        });
    }

    private void list(RoutingContext ctx) {
        dialin.list().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            JsonArray a = new JsonArray();
            ar.result().forEach(c -> a.add(json(c)));
            ctx.response().putHeader("Content-Type", JSON).end(new JsonObject().put("callers", a).encode());
        });
    }

    private void remove(RoutingContext ctx) {
        PhoneNumber number = pathNumber(ctx);
        if (number == null) {
            return;
        }
        dialin.remove(number).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (!ar.result()) {
                notFound(ctx, number);
            } else {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    static JsonObject json(DialinStore.Caller c) {
        return new JsonObject()
                .put("number", c.number().value())
                .put("hasPin", c.pinHash() != null)
                .put("destination", c.destination() == null ? null : c.destination().value())
                .put("collectNow", c.collectNow())
                .put("enabled", c.enabled())
                .put("createdAt", c.createdAt() == null ? null : c.createdAt().toString());
    }

    /** The caller number in the path, or null once a 400 has been sent for it. */
    private static PhoneNumber pathNumber(RoutingContext ctx) {
        try {
            return RequestParts.number(ctx, "the caller number");
        } catch (InvalidRequestException e) {
            Problems.invalid(ctx, e);
            return null;
        }
    }

    private static void notFound(RoutingContext ctx, PhoneNumber number) {
        Problems.send(ctx, 404, "Not found", "no dial-in caller " + number, null);
    }


    private static String string(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new InvalidRequestException(field, field + " must be a string");
        }
        return s;
    }

    private static boolean bool(JsonObject body, String field, boolean dflt) {
        Object v = body.getValue(field);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            throw new InvalidRequestException(field, field + " must be true or false");
        }
        return b;
    }
}
