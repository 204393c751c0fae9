package io.huibo.pbx.ami;

import io.huibo.config.NodeConfig;
import io.huibo.metrics.Metrics;
import io.huibo.pbx.PbxNode;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Function;

/** Makes the AMI node of a node configuration, at start and when a reload adds or changes one. */
public final class AmiNodeFactory implements Function<NodeConfig, PbxNode> {
    private final Vertx vertx;
    private final Duration actionTimeout;
    private final Metrics metrics;

    public AmiNodeFactory(Vertx vertx, Duration actionTimeout, Metrics metrics) {
        this.vertx = vertx;
        this.actionTimeout = actionTimeout;
        this.metrics = metrics;
    }

    @Override
    public AmiNode apply(NodeConfig node) {
        return new AmiNode(vertx, node, actionTimeout, metrics);
    }
}
