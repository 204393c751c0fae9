package io.huibo.api;

import io.huibo.config.HuiboConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Objects;

/**
 * The HTTP API as a service: its start listens through {@link HttpApi#listen} (a server on each of
 * {@code instances} event loops); its stop undeploys those servers.
 */
public final class HttpVerticle extends VerticleBase {
    private final HttpApi api;
    private final String host;
    private final int port;
    private final int instances;
    private final HuiboConfig.ServerTls tls;
    private volatile String servers;

    public HttpVerticle(HttpApi api, String host, int port, int instances, HuiboConfig.ServerTls tls) {
        this.tls = Objects.requireNonNull(tls, "tls");
        this.api = Objects.requireNonNull(api, "api");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.instances = instances;
    }

    @Override
    public Future<?> start() {
        return api.listen(host, port, instances, tls).onSuccess(id -> servers = id);
    }

    @Override
    public Future<?> stop() {
        String id = servers;
        servers = null;
        // deployed from this verticle's start, the servers are its children: Vert.x may have
        // undeployed them already
        return id == null || !vertx.deploymentIDs().contains(id) ? Future.succeededFuture() : vertx.undeploy(id);
    }
}
