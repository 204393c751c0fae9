package io.huibo.api;

import io.huibo.config.ConfigException;
import io.huibo.config.NodeConfig;
import io.huibo.cluster.NodeOwnership;
import io.huibo.pbx.PbxNode;
import io.huibo.pbx.NodeStatus;
import io.huibo.pbx.PbxCluster;
import io.huibo.cluster.NodeLeases;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Asterisk nodes as the whole cluster sees them, from any instance:
 * <ul>
 *   <li>{@code GET /v1/nodes}: {@code [{"id","owner","state","active","maxCalls","weight",
 *       "maxOriginatesPerSecond","originateRate","draining","lastError","local","removing"}]} (local: this
 *       instance drives it; removing: taken out of the configuration, draining until its owner lets it go,
 *       then no longer listed); state and the figures come
 *       from the owner (published in Redis with its lease; at most one ownership tick old), the
 *       owner's own view is live. {@code owner} null and state {@code unowned} while nobody drives it.</li>
 *   <li>{@code POST /v1/nodes/{id}/drain}: no new calls on the node, whichever instance owns it (the
 *       flag is in Redis and checked when an attempt is marked); calls running there finish.</li>
 *   <li>{@code POST /v1/nodes/{id}/resume}: takes new calls again.</li>
 *   <li>{@code POST /v1/admin/reload}: reads the configuration again and applies its node list on this
 *       instance (added nodes join, removed ones drain first), then tells the other instances, which each
 *       read their own configuration again within an ownership tick; answers
 *       {@code {"added","removed","changed"}} as seen by this instance. 400 when the file does not load
 *       (nothing changes anywhere).</li>
 * </ul>
 */
public final class NodesApi implements ApiRoutes {
    private static final Logger log = LoggerFactory.getLogger(NodesApi.class);

    private final Vertx vertx;
    private final PbxCluster cluster;
    private final NodeOwnership ownership;
    private final Supplier<List<NodeConfig>> reloadSource;

    /** @param reloadSource reads the node list again (blocking; runs on a worker thread) */
    public NodesApi(Vertx vertx, PbxCluster cluster, NodeOwnership ownership, Supplier<List<NodeConfig>> reloadSource) {
        this.vertx = vertx;
        this.cluster = cluster;
        this.ownership = ownership;
        this.reloadSource = reloadSource;
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/nodes").handler(this::list);
        router.post("/v1/nodes/:id/drain").handler(ctx -> drain(ctx, true));
        router.post("/v1/nodes/:id/resume").handler(ctx -> drain(ctx, false));
        router.post("/v1/admin/reload").handler(this::reload);
    }

    private void list(RoutingContext ctx) {
        JsonArray out = new JsonArray();
        cluster.nodes().forEach(n -> out.add(json(n)));
        ok(ctx, out.encode());
    }

    private void drain(RoutingContext ctx, boolean draining) {
        String id = ctx.pathParam("id");
        Optional<PbxNode> node = cluster.node(id);
        if (node.isEmpty()) {
            Problems.send(ctx, 404, "Not found", "no node " + id, "id");
            return;
        }
        ownership.drain(id, draining).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("{} of node {} failed: {}", draining ? "drain" : "resume", id, ar.cause().toString());
                Problems.send(ctx, 503, "Service unavailable", "the drain flag could not be stored", null);
                return;
            }
            log.info("node {} {}", id, draining ? "draining" : "resumed");
            ok(ctx, json(node.get()).encode());
        });
    }

    private void reload(RoutingContext ctx) {
        ownership.reload(vertx, reloadSource).onComplete(ar -> {
            if (ar.failed()) {
                Throwable e = ar.cause();
                if (e instanceof ConfigException) {
                    Problems.send(ctx, 400, "Invalid configuration", e.getMessage(), null);
                } else {
                    log.warn("reload failed", e);
                    Problems.send(ctx, 503, "Service unavailable", "reload failed: " + e.getMessage(), null);
                }
                return;
            }
            NodeOwnership.Reload r = ar.result();
            ok(ctx, new JsonObject().put("added", new JsonArray(r.added())).put("removed", new JsonArray(r.removed()))
                    .put("changed", new JsonArray(r.changed())).encode());
        });
    }

    private JsonObject json(PbxNode n) {
        NodeLeases.View v = ownership.view().get(n.id());
        String owner = v == null ? null : v.owner();
        JsonObject o = new JsonObject()
                .put("id", n.id())
                .put("owner", owner)
                .put("maxCalls", n.maxCalls())
                .put("weight", n.weight())
                .put("maxOriginatesPerSecond", n.config().maxOriginatesPerSecond())
                .put("draining", v != null && v.draining())
                .put("local", ownership.owns(n.id()))
                .put("removing", ownership.removing(n.id()));
        NodeStatus s = n.status();
        if (ownership.owns(n.id()) || s.state() != NodeStatus.State.STANDBY) {
            o.put("state", s.state().name().toLowerCase())
                    .put("active", s.active())
                    .put("lastError", s.lastError())
                    .put("originateRate", Math.round(n.originateRate() * 10) / 10.0);
        } else if (v != null && v.status() != null) {
            JsonObject published = new JsonObject(v.status());
            o.put("state", published.getString("state"))
                    .put("active", published.getInteger("active"))
                    .put("lastError", published.getString("lastError"))
                    .put("originateRate", published.getDouble("originateRate"));
        } else {
            o.put("state", owner == null ? "unowned" : "unknown").put("active", null).put("lastError", null);
        }
        return o;
    }

    private static void ok(RoutingContext ctx, String body) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body);
    }
}
