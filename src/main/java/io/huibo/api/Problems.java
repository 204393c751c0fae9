package io.huibo.api;

import io.huibo.queue.QueueUnavailableException;
import io.huibo.store.StoreUnavailableException;
import io.lettuce.core.RedisException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

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
        send(ctx, body(status, title, detail, field));
    }

    /** A problem document built already ({@link #body}, with fields of its own); its status is the answer's. */
    public static void send(RoutingContext ctx, JsonObject body) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(body.getInteger("status")).putHeader("Content-Type", CONTENT_TYPE)
                    .end(body.encode());
        }
    }

    /**
     * Whether {@code t} says that MariaDB or Redis did not answer (the client should retry the same
     * request), rather than that the request or the server is wrong.
     */
    public static boolean storeDown(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof StoreUnavailableException || c instanceof QueueUnavailableException
                    || c instanceof RedisException || c instanceof SQLTransientException
                    || c instanceof SQLRecoverableException || c instanceof SQLNonTransientConnectionException
                    || c instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /** 503 with Retry-After: a store did not answer; nothing the request asked for may be assumed done. */
    public static void storeDown(RoutingContext ctx) {
        storeDown(ctx, "MariaDB or Redis did not answer; retry");
    }

    public static void storeDown(RoutingContext ctx, String detail) {
        if (!ctx.response().ended()) {
            ctx.response().putHeader("Retry-After", "1");
        }
        send(ctx, 503, "Service unavailable", detail, null);
    }

    public static void invalid(RoutingContext ctx, InvalidRequestException e) {
        send(ctx, 400, "Invalid request", e.getMessage(), e.field());
    }
}
