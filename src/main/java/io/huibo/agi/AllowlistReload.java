package io.huibo.agi;

import io.huibo.config.NodeConfig;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a node reload, rebuilds the FastAGI allowlist: a node added at run time must reach its
 * routes, and the default allowlist holds the nodes' hosts (resolving them may block: a worker does it).
 */
public final class AllowlistReload implements Consumer<List<NodeConfig>> {
    private static final Logger log = LoggerFactory.getLogger(AllowlistReload.class);

    private final Vertx vertx;
    private final List<String> allow;
    private final FastAgiServer server;

    /** @param allow the configured {@code agi.allow} rules */
    public AllowlistReload(Vertx vertx, List<String> allow, FastAgiServer server) {
        this.vertx = vertx;
        this.allow = allow;
        this.server = server;
    }

    @Override
    public void accept(List<NodeConfig> nodes) {
        vertx.executeBlocking(() -> AgiAllowlist.of(allow, nodes), false)
                .onSuccess(server::allow)
                .onFailure(e -> log.warn("FastAGI allowlist not rebuilt after the reload: {}", e.getMessage()));
    }
}
