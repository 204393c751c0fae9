package io.huibo.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** RFC 9457 problem details: every error the API returns has this shape. */
public final class Problems {
    public static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    /** The problem document itself, also for a row of a bulk answer. */
    public static JsonObject body(int status, String title, String detail, String field) {
        JsonObject body = new JsonObject()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status)
                .put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }

    public static void send(RoutingContext ctx, int status, String title, String detail, String field) {
        JsonObject body = body(status, title, detail, field);
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
        }
    }

    public static void invalid(RoutingContext ctx, InvalidRequestException e) {
        send(ctx, 400, "Invalid request", e.getMessage(), e.field());
    }
}
