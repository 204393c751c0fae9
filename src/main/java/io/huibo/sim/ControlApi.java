package io.huibo.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Function;

/**
 * HTTP control API of the simulator (JSON):
 * <ul>
 *   <li>{@code GET /nodes} -> {@code [{"id","amiPort","active","peak","maxChannels","originates","listening","silent","delayMs"}]}
 *       ({@code active}/{@code peak}: originated calls now / at most at once)</li>
 *   <li>{@code GET /calls} -> callbacks {@code {"kind":"callback","node","channelId","callbackId","attempt","legA","legB",
 *       "outcome","legBOutcome","triesA","triesB","collected","dropped","startedAt","endedAt","live"}} and dial-ins
 *       {@code {"kind":"dialin","node","channelId","legA" (caller),"access","outcome" (busy|rejected|answered),
 *       "answered","cause","huiboResult","startedAt","endedAt","live"}}. Callbacks are every Originate the node
 *       queued, also those it could not place ({@code placed}: false, outcome failed), each with its
 *       {@code variables} (the Originate's Variable headers). {@code outcome} of a callback:
 *       answered|busy|noanswer|congestion|failed|hungup|dropped; {@code legBOutcome} adds unconfirmed (leg A
 *       did not press 1, or hung up before leg B was dialed); {@code shownToA} / {@code shownToB}: the identity
 *       {@code {"num","name"}} the leg was presented when it was dialed (null before that), {@code updatesToA}:
 *       the connected-line updates leg A received, oldest first;
 *       {@code dropped}: the call vanished with its node (kill), whatever its outcome had been.</li>
 *   <li>{@code GET /nodes/<id>/astdb} -> the node's AstDB, {@code {"/huibo/<memo>/a":"ANSWER",...}} (full keys)</li>
 *   <li>{@code GET /channels/<channelId>} -> 200 {@code {"channelId","node"}} if live on some node, else 404</li>
 *   <li>{@code POST /nodes/<id>/kill} (Asterisk dies: sockets close, live calls vanish, its AstDB stays), {@code /start},
 *       {@code /silent} (sockets stay open, nothing is read or sent), {@code /resume} (silent ends on the same
 *       sockets), {@code /cut-ami} with an optional {@code {"forMs":2000}} (the node's AMI sockets close while
 *       its calls go on; for forMs new AMI connections are closed at once), {@code /slow} with
 *       {@code {"delayMs":800}} (every response and event waits; 0 restores)
 *       -> 200 with the node's JSON, 404 for an unknown node</li>
 *   <li>{@code POST /dialin} with {@code {"node":"sim1","caller":"1001","callerName":"Alice Phone","access":"5000",
 *       "pin":"1234","keys":"8613900139000"}} (node defaults to sim1; pin/keys default to the scenario's for the
 *       caller) runs [huibo-dialin] and answers when the call has ended:
 *       {@code {"result":"busy"|"rejected"|"answered","answered","cause","huiboResult","channelId"}};
 *       400 for bad input, 404 unknown node, 503 node down.</li>
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
        r.get("/calls").handler(ctx -> json(ctx, 200, sim.calls().snapshot().encode()));
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
        r.post("/nodes/:id/resume").handler(ctx -> nodeOp(ctx, SimNode::resume));
        r.post().handler(BodyHandler.create().setBodyLimit(16 * 1024));
        r.post("/nodes/:id/slow").handler(ctx -> {
            JsonObject body = body(ctx);
            Object d = body == null ? null : body.getValue("delayMs");
            if (!(d instanceof Number n) || n.longValue() < 0 || n.longValue() > 600_000) {
                json(ctx, 400, new JsonObject().put("error", "delayMs: a number of milliseconds, 0..600000").encode());
                return;
            }
            nodeOp(ctx, node -> node.slow(n.longValue()));
        });
        r.post("/nodes/:id/cut-ami").handler(ctx -> {
            JsonObject body = body(ctx);
            Object f = body == null ? 0 : body.getValue("forMs", 0);
            if (!(f instanceof Number n) || n.longValue() < 0 || n.longValue() > 600_000) {
                json(ctx, 400, new JsonObject().put("error", "forMs: a number of milliseconds, 0..600000").encode());
                return;
            }
            nodeOp(ctx, node -> node.cutAmi(n.longValue()));
        });
        r.get("/nodes/:id/astdb").handler(ctx -> {
            Optional<SimNode> n = sim.node(ctx.pathParam("id"));
            if (n.isEmpty()) {
                json(ctx, 404, new JsonObject().put("error", "no node " + ctx.pathParam("id")).encode());
                return;
            }
            JsonObject entries = new JsonObject();
            n.get().astDb().snapshot().forEach(entries::put);
            json(ctx, 200, entries.encode());
        });
        r.post("/dialin").handler(this::dialin);
        return vertx.createHttpServer().requestHandler(r).listen(port, host);
    }

    private void dialin(RoutingContext ctx) {
        JsonObject b = body(ctx);
        if (b == null) {
            json(ctx, 400, new JsonObject().put("error", "body: a JSON object").encode());
            return;
        }
        String bad = null;
        String access = b.getValue("access") == null ? null : String.valueOf(b.getValue("access"));
        String caller = b.getValue("caller") == null ? null : String.valueOf(b.getValue("caller"));
        String name = b.getString("callerName", "");
        String pin = b.getValue("pin") == null ? null : String.valueOf(b.getValue("pin"));
        String keys = b.getValue("keys") == null ? null : String.valueOf(b.getValue("keys"));
        // These reach an AGI environment line and a script's query string, as a SIP INVITE could never make them.
        if (access == null || !access.matches("[0-9*#+]{1,32}")) {
            bad = "access";
        } else if (caller == null || !caller.matches("[0-9A-Za-z+*#._-]{1,40}")) {
            bad = "caller";
        } else if (name.length() > 80 || name.chars().anyMatch(c -> c < 32)) {
            bad = "callerName";
        } else if (pin != null && !pin.matches("[0-9*#]{0,20}")) {
            bad = "pin";
        } else if (keys != null && !keys.matches("[0-9*#]{0,40}")) {
            bad = "keys";
        }
        if (bad != null) {
            json(ctx, 400, new JsonObject().put("error", "invalid field " + bad).put("field", bad).encode());
            return;
        }
        String nodeId = b.getString("node", "sim1");
        Optional<SimNode> n = sim.node(nodeId);
        if (n.isEmpty()) {
            json(ctx, 404, new JsonObject().put("error", "no node " + nodeId).encode());
            return;
        }
        n.get().dialin(new DialinCall.Request(caller, name, access, pin, keys)).onComplete(ar -> {
            if (ar.succeeded()) {
                json(ctx, 200, ar.result().toJson().encode());
            } else {
                json(ctx, 503, new JsonObject().put("error", String.valueOf(ar.cause().getMessage())).encode());
            }
        });
    }

    private static JsonObject body(RoutingContext ctx) {
        try {
            return ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
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
            .put("listening", n.listening()).put("silent", n.silent()).put("delayMs", n.delayMs());
    }

    private static void json(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
    }
}
