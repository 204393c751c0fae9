package io.huibo.api;

import io.huibo.auth.ApiKeys;
import io.huibo.auth.KeyToken;
import io.huibo.auth.Scope;
import io.huibo.store.ApiKeyStore;
import io.huibo.webhooks.WebhookUrls;
import io.vertx.core.AsyncResult;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.huibo.guards.DestinationRules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * API keys (scope {@code admin}):
 * <ul>
 * <li>{@code POST /v1/keys} {@code {"name", "scopes": [...], "webhook"?, "allow"?: [...], "deny"?: [...],
 *     "profile"?}}: 201 with the key and, this once, its {@code token}</li>
 * <li>{@code PATCH /v1/keys/{keyId}} {@code {"allow"?, "deny"?}}: the key's own toll-fraud entries replaced</li>
 * <li>{@code GET /v1/keys}: every key, revoked ones too, never a secret or its hash</li>
 * <li>{@code POST /v1/keys/{keyId}/rotate}: 200 with a new {@code token}; the old one is refused at once</li>
 * <li>{@code DELETE /v1/keys/{keyId}}: 200, the key revoked (on every instance within a second)</li>
 * </ul>
 */
public final class KeysApi implements ApiRoutes {
    private static final Set<String> FIELDS = Set.of("name", "scopes", "webhook", "allow", "deny", "profile");
    /** A key's own toll-fraud entries: few, and they go into one column each. */
    static final int MAX_ENTRIES = 50;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9 _.:@-]{1,64}");

    private final ApiKeys keys;
    /** null: this server sends no webhooks, so a key may name none */
    private final WebhookUrls webhooks;

    /** The retry profiles a key may name as its default. */
    private final CallingRequests calling;

    public KeysApi(ApiKeys keys, WebhookUrls webhooks) {
        this(keys, webhooks, null);
    }

    /** @param profiles the retry profiles a key may name; null: the built-in "default" only */
    public KeysApi(ApiKeys keys, WebhookUrls webhooks, io.huibo.policy.Profiles profiles) {
        this.calling = new CallingRequests(profiles);
        this.keys = keys;
        this.webhooks = webhooks;
    }

    @Override
    public void mount(Router router) {
        router.post("/v1/keys").handler(this::create);
        router.get("/v1/keys").handler(this::list);
        router.post("/v1/keys/:id/rotate").handler(this::rotate);
        router.delete("/v1/keys/:id").handler(this::revoke);
        router.patch("/v1/keys/:id").handler(this::guards);
    }

    static JsonObject json(ApiKeyStore.Row r) {
        return new JsonObject().put("keyId", r.keyId()).put("name", r.name())
                .put("scopes", new JsonArray(r.scopes().stream().sorted().map(Scope::id).toList()))
                .put("webhook", r.webhook())
                .put("profile", r.defaultProfile())
                .put("state", r.active() ? "active" : "revoked")
                .put("createdAt", text(r.createdAt())).put("rotatedAt", text(r.rotatedAt()))
                .put("revokedAt", text(r.revokedAt()))
                .put("allow", new JsonArray(r.allow())).put("deny", new JsonArray(r.deny()));
    }

    /** A key's toll-fraud entries (README "Toll-fraud guards"): prefixes, and in allow the categories too. */
    static List<String> entries(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof JsonArray a) || a.size() > MAX_ENTRIES) {
            throw new InvalidRequestException(field, "'" + field + "' must be an array of at most " + MAX_ENTRIES
                    + " prefixes" + (field.equals("allow") ? " or categories" : ""));
        }
        List<String> out = new ArrayList<>();
        for (Object o : a) {
            String e = o instanceof String str ? str.trim() : "";
            DestinationRules.problem(e, field.equals("allow")).ifPresent(p -> {
                throw new InvalidRequestException(field, "'" + field + "': " + p);
            });
            if (!out.contains(e)) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    private void guards(RoutingContext ctx) {
        String id = keyId(ctx);
        if (id == null) {
            return;
        }
        List<String> allow;
        List<String> deny;
        try {
            JsonObject body = object(ctx);
            for (String f : body.fieldNames()) {
                if (!f.equals("allow") && !f.equals("deny")) {
                    throw new InvalidRequestException(f, "unknown field '" + f + "' (a key's allow and deny can be changed)");
                }
            }
            if (body.isEmpty()) {
                throw new InvalidRequestException(null, "give 'allow', 'deny' or both");
            }
            // a field left out (null) keeps what the key has
            allow = body.containsKey("allow") ? entries(body, "allow") : null;
            deny = body.containsKey("deny") ? entries(body, "deny") : null;
        } catch (InvalidRequestException e) {
            Problems.invalid(ctx, e);
            return;
        }
        keys.setGuards(id, allow, deny).onComplete(ar -> answerKey(ctx, id, ar));
    }

    private static JsonObject object(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().buffer() == null ? null : new JsonObject(ctx.body().buffer());
            if (body == null) {
                throw new InvalidRequestException(null, "a JSON object body is required");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidRequestException(null, "the body is not a JSON object");
        }
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private void create(RoutingContext ctx) {
        String name;
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        String webhook;
        List<String> allow;
        List<String> deny;
        String profile;
        try {
            JsonObject body;
            try {
                body = ctx.body().buffer() == null ? null : new JsonObject(ctx.body().buffer());
            } catch (DecodeException | ClassCastException e) {
                throw new InvalidRequestException(null, "the body is not a JSON object");
            }
            if (body == null) {
                throw new InvalidRequestException(null, "a JSON body {\"name\", \"scopes\"} is required");
            }
            for (String f : body.fieldNames()) {
                if (!FIELDS.contains(f)) {
                    throw new InvalidRequestException(f, "unknown field '" + f + "'");
                }
            }
            if (!(body.getValue("name") instanceof String n) || !NAME.matcher(n).matches()) {
                throw new InvalidRequestException("name", "'name' is required: 1-64 letters, digits, spaces or _ . : @ -");
            }
            name = n;
            if (!(body.getValue("scopes") instanceof JsonArray a) || a.isEmpty()) {
                throw new InvalidRequestException("scopes", "'scopes' is required: a non-empty array of "
                        + Scope.all().stream().map(Scope::id).toList());
            }
            for (Object s : a) {
                scopes.add(Scope.parse(s instanceof String str ? str : "").orElseThrow(() ->
                        new InvalidRequestException("scopes", "unknown scope '" + s + "'; scopes are "
                                + Scope.all().stream().map(Scope::id).toList())));
            }
            webhook = webhook(body.getValue("webhook"));
            allow = entries(body, "allow");
            deny = entries(body, "deny");
            Object p = body.getValue("profile");
            if (p != null && !(p instanceof String ps && calling.known(ps))) {
                throw new InvalidRequestException("profile", "unknown profile '" + p + "'; profiles are "
                        + calling.known());
            }
            profile = (String) p;
        } catch (InvalidRequestException e) {
            Problems.invalid(ctx, e);
            return;
        }
        keys.create(name, scopes, webhook, allow, deny, profile).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                    .putHeader("Location", "/v1/keys/" + ar.result().row().keyId())
                    .end(json(ar.result().row()).put("token", ar.result().token().token()).encode());
        });
    }

    private String webhook(Object v) {
        if (v == null) {
            return null;
        }
        if (webhooks == null) {
            throw new InvalidRequestException("webhook", "this server sends no webhooks (webhooks.secret is not set)");
        }
        if (!(v instanceof String s)) {
            throw new InvalidRequestException("webhook", "'webhook' must be a URL string");
        }
        webhooks.problem(s).ifPresent(p -> {
            throw new InvalidRequestException("webhook", "'webhook' " + p);
        });
        return s;
    }

    private void list(RoutingContext ctx) {
        keys.list().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            JsonArray items = new JsonArray();
            ar.result().forEach(r -> items.add(json(r)));
            ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("items", items).encode());
        });
    }

    private void rotate(RoutingContext ctx) {
        String id = keyId(ctx);
        if (id == null) {
            return;
        }
        keys.rotate(id).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                Problems.send(ctx, 404, "Not found", "no active key with id '" + id + "'", null);
            } else {
                ctx.response().putHeader("Content-Type", "application/json")
                        .end(json(ar.result().get().row()).put("token", ar.result().get().token().token()).encode());
            }
        });
    }

    private void revoke(RoutingContext ctx) {
        String id = keyId(ctx);
        if (id == null) {
            return;
        }
        keys.revoke(id).onComplete(ar -> answerKey(ctx, id, ar));
    }

    /** The key after a change: 200 with it, or 404 if there is no such key. */
    private static void answerKey(RoutingContext ctx, String id, AsyncResult<Optional<ApiKeyStore.Row>> ar) {
        if (ar.failed()) {
            ctx.fail(ar.cause());
        } else if (ar.result().isEmpty()) {
            Problems.send(ctx, 404, "Not found", "no key with id '" + id + "'", null);
        } else {
            ctx.response().putHeader("Content-Type", "application/json").end(json(ar.result().get()).encode());
        }
    }

    private static String keyId(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!KeyToken.validKeyId(id)) {
            Problems.send(ctx, 404, "Not found", "no key with id '" + id + "' (a key id is 12 hex digits)", null);
            return null;
        }
        return id;
    }
}
