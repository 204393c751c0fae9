package io.huibo.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Function;

/**
 * HTTP control API of the simulator (JSON):
 * <ul>
 *   <li>{@code GET /nodes} -> {@code [{"id","amiPort","active","peak","maxChannels","originates","listening","silent"}]}</li>
 *   <li>{@code GET /calls} -> {@code [{"node","channelId","callbackId","attempt","legA","legB","outcome","legBOutcome","startedAt","endedAt","live"}]}</li>
 *   <li>{@code GET /channels/<channelId>} -> 200 {@code {"channelId","node"}} if live on some node, else 404</li>
 *   <li>{@code POST /nodes/<id>/kill}, {@code /start}, {@code /silent} -> 200 with the node's JSON, 404 for an unknown node</li>
 * </ul>
 */
final class ControlApi {
    private final Vertx vertx;
    private final Simulator sim;

    ControlApi(Vertx vertx, Simulator sim) {
        this.vertx = vertx;
        this.sim = sim;
    }

    Future<HttpServer> listen(int port, String host) {
        Router r = Router.router(vertx);
        r.get("/nodes").handler(ctx -> {
            JsonArray a = new JsonArray();
            sim.nodes().forEach(n -> a.add(nodeJson(n)));
            json(ctx, 200, a.encode());
        });
        r.get("/calls").handler(ctx -> {
            JsonArray a = new JsonArray();
            for (SimCall.Info i : sim.calls().snapshot()) {
                a.add(new JsonObject().put("node", i.node()).put("channelId", i.channelId())
                    .put("callbackId", i.callbackId()).put("attempt", i.attempt()).put("legA", i.legA())
                    .put("legB", i.legB()).put("outcome", i.outcome()).put("legBOutcome", i.legBOutcome())
                    .put("startedAt", i.startedAt() == null ? null : i.startedAt().toString())
                    .put("endedAt", i.endedAt() == null ? null : i.endedAt().toString()).put("live", i.live()));
            }
            json(ctx, 200, a.encode());
        });
        r.get("/channels/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            Optional<SimNode> on = sim.nodes().stream().filter(n -> n.hasLiveChannel(id)).findFirst();
            if (on.isPresent()) {
                json(ctx, 200, new JsonObject().put("channelId", id).put("node", on.get().id()).encode());
            } else {
                json(ctx, 404, new JsonObject().put("error", "no live channel " + id).encode());
            }
        });
        r.post("/nodes/:id/kill").handler(ctx -> nodeOp(ctx, SimNode::kill));
        r.post("/nodes/:id/start").handler(ctx -> nodeOp(ctx, SimNode::revive));
        r.post("/nodes/:id/silent").handler(ctx -> nodeOp(ctx, SimNode::silence));
        return vertx.createHttpServer().requestHandler(r).listen(port, host);
    }

    private void nodeOp(RoutingContext ctx, Function<SimNode, Future<Void>> op) {
        Optional<SimNode> n = sim.node(ctx.pathParam("id"));
        if (n.isEmpty()) {
            json(ctx, 404, new JsonObject().put("error", "no node " + ctx.pathParam("id")).encode());
            return;
        }
        op.apply(n.get()).onComplete(ar -> {
            if (ar.succeeded()) {
                json(ctx, 200, nodeJson(n.get()).encode());
            } else {
                json(ctx, 500, new JsonObject().put("error", String.valueOf(ar.cause().getMessage())).encode());
            }
        });
    }

    private static JsonObject nodeJson(SimNode n) {
        return new JsonObject().put("id", n.id()).put("amiPort", n.port()).put("active", n.active())
            .put("peak", n.peak()).put("maxChannels", n.maxChannels()).put("originates", n.originates())
            .put("listening", n.listening()).put("silent", n.silent());
    }

    private static void json(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
    }
}
