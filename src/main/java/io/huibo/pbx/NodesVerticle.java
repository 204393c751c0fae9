package io.huibo.pbx;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Objects;

/**
 * The AMI nodes of the cluster as a service. Its start starts no node: in a cluster of instances a
 * node is started by its owner only, when node ownership takes it (see {@code cluster.NodeOwnership}).
 * Its stop logs off every node still connected, after the dispatcher (deployed later, stopped earlier)
 * has handed its calls over and given its nodes up.
 */
public final class NodesVerticle extends VerticleBase {
    private final PbxCluster cluster;

    public NodesVerticle(PbxCluster cluster) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    @Override
    public Future<?> start() {
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return cluster.stop();
    }
}
