package io.huibo.events;

import io.huibo.api.ApiRoutes;
import io.huibo.api.Problems;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code GET /v1/events}: Server-Sent Events of every state change and attempt result, from every
 * instance. Query: {@code callback} (an id; repeated or comma-separated for several), {@code number}
 * (E.164), {@code after} (an event id, for a first connection; the {@code Last-Event-ID} header of a
 * reconnection wins over it).
 */
public final class EventsApi implements ApiRoutes {
    private static final int MAX_CALLBACKS = 100;

    private final EventHub hub;
    private final int maxQueued;

    public EventsApi(EventHub hub, int maxQueued) {
        this.hub = hub;
        this.maxQueued = maxQueued;
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/events").handler(this::stream);
    }

    private void stream(RoutingContext ctx) {
        Set<String> callbacks = new LinkedHashSet<>();
        for (String v : ctx.queryParam("callback")) {
            for (String id : v.split(",")) {
                if (!CallbackIds.isValid(id.trim())) {
                    Problems.send(ctx, 400, "Invalid request", "'callback' must be callback ids: " + id, "callback");
                    return;
                }
                callbacks.add(id.trim());
            }
        }
        if (callbacks.size() > MAX_CALLBACKS) {
            Problems.send(ctx, 400, "Invalid request", "at most " + MAX_CALLBACKS + " callbacks per stream", "callback");
            return;
        }
        String number = ctx.queryParams().get("number");
        if (number != null && !PhoneNumber.isValid(number)) {
            Problems.send(ctx, 400, "Invalid request",
                    "'number' must be digits with an optional leading '+' (URL-encoded as %2B)", "number");
            return;
        }
        String header = ctx.request().getHeader("Last-Event-ID");
        String from = header != null && !header.isBlank() ? header.trim() : ctx.queryParams().get("after");
        long after = -1;
        if (from != null) {
            try {
                after = Long.parseLong(from);
            } catch (NumberFormatException e) {
                after = -2;
            }
            if (after < 0) {
                Problems.send(ctx, 400, "Invalid request", "Last-Event-ID / 'after' must be an event id",
                        header != null ? "Last-Event-ID" : "after");
                return;
            }
        }
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                // nginx and the like would buffer the stream otherwise
                .putHeader("X-Accel-Buffering", "no")
                .setWriteQueueMaxSize(maxQueued);
        Subscriber s = new Subscriber(Vertx.currentContext(), response, ctx.request().connection(), callbacks,
                number);
        response.closeHandler(v -> hub.unsubscribe(s));
        response.exceptionHandler(e -> hub.unsubscribe(s));
        // reconnect after 2 s; the opening comment gets the headers through proxies at once
        response.write("retry: 2000\n: huibo events\n\n");
        hub.subscribe(s, after);
    }
}
